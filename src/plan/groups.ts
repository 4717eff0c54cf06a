import type { Backend } from "../repo/index.js";
import { ISSUE_FIELDS, type GroupLine } from "../spec/issue.js";
import { show } from "../spec/problems.js";

export interface ResolvedGroup {
  name: string;
  backends: Backend[];
}

const NAME_LIMIT = 40;

/** A backend id made into a group name: lowercase, other characters `-`, at most 40, `-2`, `-3` on a clash. */
export function groupNameFor(id: string, taken: Set<string>): string {
  const base =
    id
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, "-")
      .replace(/^-+/, "")
      .slice(0, NAME_LIMIT) || "backend";
  let name = base;
  for (let n = 2; taken.has(name); n++) {
    const suffix = `-${n}`;
    name = `${base.slice(0, NAME_LIMIT - suffix.length)}${suffix}`;
  }
  taken.add(name);
  return name;
}

function findBackend(item: string, backends: Backend[], cluster: string): Backend | string {
  const byEntry = backends.filter((b) => b.entry === item);
  if (byEntry.length === 1) return byEntry[0] as Backend;
  const byId = backends.filter((b) => b.id === item);
  if (byId.length === 1) return byId[0] as Backend;
  if (byId.length > 1) {
    return `${show(item)} names ${byId.length} backends of ${cluster} (${byId.map((b) => b.entry).join(", ")}): write the entry exactly as in the config instead`;
  }
  const known = backends.map((b) => b.id).join(", ") || "none";
  return `${show(item)} is not a backend of ${cluster} (its backends: ${known})`;
}

/**
 * The ordered groups of a migration: the issue's lines resolved against the source's backends, or one
 * group per backend when the issue names none. Every backend must land in exactly one group.
 */
export function resolveGroups(
  lines: GroupLine[] | null,
  backends: Backend[],
  cluster: string,
): { groups: ResolvedGroup[]; problems: string[]; warnings: string[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (lines === null) {
    const taken = new Set<string>();
    return { groups: backends.map((b) => ({ name: groupNameFor(b.id, taken), backends: [b] })), problems, warnings };
  }
  const placed = new Map<Backend, string>();
  const groups: ResolvedGroup[] = [];
  for (const line of lines) {
    const at = `${ISSUE_FIELDS.groups}: line ${line.line}`;
    const members: Backend[] = [];
    if (line.items.includes("*")) {
      members.push(...backends.filter((b) => !placed.has(b)));
    } else {
      for (const item of line.items) {
        const found = findBackend(item, backends, cluster);
        if (typeof found === "string") {
          problems.push(`${at}: ${found}`);
        } else if (placed.has(found) || members.includes(found)) {
          problems.push(`${at}: backend ${show(item)} is already in group ${show(placed.get(found) ?? line.name)}`);
        } else {
          members.push(found);
        }
      }
    }
    for (const backend of members) placed.set(backend, line.name);
    if (members.length === 0 && line.items.includes("*")) {
      warnings.push(
        `group ${line.name}: \`*\` matches no backend (every backend is named in an earlier line); it has no steps`,
      );
      continue;
    }
    groups.push({ name: line.name, backends: members });
  }
  const left = backends.filter((b) => !placed.has(b));
  if (left.length > 0 && problems.length === 0) {
    problems.push(
      `${ISSUE_FIELDS.groups}: backends ${left.map((b) => b.id).join(", ")} of ${cluster} are in no group: ` +
        "name them in a line or add `rest: *` (decommission would otherwise delete them with the old cluster)",
    );
  }
  return { groups, problems, warnings };
}
