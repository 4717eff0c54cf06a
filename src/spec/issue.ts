import { z } from "zod";
import { CLUSTER_NAME, duration } from "./config.js";
import { show } from "./problems.js";

/** The headings of the issue form (`.github/ISSUE_TEMPLATE/replicante-upgrade.yml`), as rendered in the body. */
export const ISSUE_FIELDS = {
  source: "Source cluster",
  target: "Target cluster",
  version: "Target version",
  groups: "Backend groups",
  soak: "Soak time",
  notes: "Upgrade notes",
} as const;

export const GROUP_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const VERSION = /^v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)$/;
const NO_RESPONSE = "_No response_";
/** GitHub's own limit on an issue body; a longer text (a CLI file) is refused before it is read. */
export const MAX_ISSUE_BODY = 65_536;

/** One `name: id, id` line of the Backend groups field; `*` is every backend not named before. */
export interface GroupLine {
  name: string;
  items: string[];
  line: number;
}

export const migrationRequest = z.object({
  source: z.string(),
  target: z.string(),
  version: z.string(),
  groups: z.array(z.object({ name: z.string(), items: z.array(z.string()), line: z.number() })).nullable(),
  soak: duration.optional(),
  notesAcknowledged: z.boolean(),
});
export type MigrationRequest = z.infer<typeof migrationRequest>;

/** What an operator fills in on the issue form; a field left empty renders as GitHub's `_No response_`. */
export interface FormAnswers {
  source: string;
  target: string;
  version: string;
  /** One `name: id, id` line per group. */
  groups?: string;
  soak?: string;
}

/** The body GitHub renders from the issue form's answers (the upgrade notes box ticked). */
export function formBody(answers: FormAnswers): string {
  const field = (heading: string, value: string | undefined) => [`### ${heading}`, "", value || NO_RESPONSE, ""];
  return [
    ...field(ISSUE_FIELDS.source, answers.source),
    ...field(ISSUE_FIELDS.target, answers.target),
    ...field(ISSUE_FIELDS.version, answers.version),
    ...field(ISSUE_FIELDS.groups, answers.groups),
    ...field(ISSUE_FIELDS.soak, answers.soak),
    ...field(ISSUE_FIELDS.notes, "- [x] I have read the upgrade notes for the target version"),
  ].join("\n");
}

/** `### Heading` sections of a rendered issue form body. */
function sections(body: string): Map<string, string> {
  const found = new Map<string, string>();
  let current: string | undefined;
  let lines: string[] = [];
  const flush = (): void => {
    if (current !== undefined) found.set(current, lines.join("\n").trim());
  };
  for (const line of body.replace(/\r\n?/g, "\n").split("\n")) {
    // Linear on any line: no lazy group racing a trailing `\s*` (a padded 64 KB heading took seconds).
    const heading = /^###\s+\S/.test(line) ? line.slice(3).trim() : undefined;
    if (heading !== undefined) {
      flush();
      current = heading;
      lines = [];
    } else {
      lines.push(line);
    }
  }
  flush();
  return found;
}

function value(fields: Map<string, string>, heading: string): string {
  const text = fields.get(heading) ?? "";
  return text === NO_RESPONSE ? "" : text;
}

function parseGroups(text: string, problems: string[]): GroupLine[] | null {
  if (text === "") return null;
  const groups: GroupLine[] = [];
  const field = ISSUE_FIELDS.groups;
  const names = new Set<string>();
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim().replace(/^[-*]\s+(?=\S+\s*:)/, "");
    if (line === "") return;
    const at = `${field}: line ${index + 1}`;
    const colon = line.indexOf(":");
    if (colon === -1) {
      problems.push(`${at}: ${show(line)}: expected \`name: backend, backend\` (e.g. \`canary: mongo\`)`);
      return;
    }
    const name = line.slice(0, colon).trim();
    const items = line
      .slice(colon + 1)
      .split(",")
      .map((item) => item.trim())
      .filter(Boolean);
    if (!GROUP_NAME.test(name)) {
      problems.push(
        `${at}: group name ${show(name)}: expected lowercase letters, digits and -, starting with a letter or digit, at most 40 characters`,
      );
    }
    if (items.length === 0)
      problems.push(`${at}: group ${show(name)} names no backend (write \`${name}: id, id\` or \`${name}: *\`)`);
    if (items.includes("*") && items.length > 1)
      problems.push(`${at}: \`*\` must stand alone in its line (it means every backend not named before)`);
    if (names.has(name)) problems.push(`${at}: group name ${show(name)} is used twice`);
    names.add(name);
    groups.push({ name, items, line: index + 1 });
  });
  if (groups.filter((g) => g.items.includes("*")).length > 1)
    problems.push(`${field}: \`*\` may appear in one line only`);
  return groups;
}

function checkCluster(label: string, name: string, problems: string[]): void {
  if (name === "") problems.push(`${label}: is required (the cluster name as in .github/handover.yml)`);
  else if (!CLUSTER_NAME.test(name))
    problems.push(`${label}: ${show(name)}: expected a cluster name (lowercase letters, digits, . _ -)`);
}

/** The request as far as it could be read, and every problem found; `ok` when there is none. */
export type IssueParse = { ok: boolean; request: MigrationRequest; problems: string[] };

/** Read the migration issue body; every problem is reported at once, naming the field and value. */
export function parseIssueBody(body: string): IssueParse {
  if (body.length > MAX_ISSUE_BODY) {
    const problem = `Issue body: ${body.length} characters, more than GitHub's limit of ${MAX_ISSUE_BODY}: write the form's fields only`;
    const request = { source: "", target: "", version: "", groups: null, notesAcknowledged: false };
    return { ok: false, problems: [problem], request };
  }
  const fields = sections(body);
  const problems: string[] = [];
  const source = value(fields, ISSUE_FIELDS.source);
  const target = value(fields, ISSUE_FIELDS.target);
  checkCluster(ISSUE_FIELDS.source, source, problems);
  checkCluster(ISSUE_FIELDS.target, target, problems);
  if (source !== "" && source === target) {
    problems.push(
      `${ISSUE_FIELDS.target}: ${show(target)} is the source cluster too: a breaking upgrade moves backends to a new cluster`,
    );
  }
  const versionText = value(fields, ISSUE_FIELDS.version);
  const version = VERSION.exec(versionText)?.[1];
  if (versionText === "") problems.push(`${ISSUE_FIELDS.version}: is required (e.g. 0.3.1)`);
  else if (version === undefined)
    problems.push(`${ISSUE_FIELDS.version}: ${show(versionText)}: expected a version such as 0.3.1`);
  const groups = parseGroups(value(fields, ISSUE_FIELDS.groups), problems);
  const soakText = value(fields, ISSUE_FIELDS.soak);
  if (soakText !== "" && !duration.safeParse(soakText).success) {
    problems.push(`${ISSUE_FIELDS.soak}: ${show(soakText)}: expected a duration such as 30s, 15m or 2h`);
  }
  const notes = value(fields, ISSUE_FIELDS.notes);
  // One line at a time: a multiline `^\s*` would rescan every run of blank lines from each of its starts.
  const notesAcknowledged = notes.split("\n").some((line) => /^\s*[-*]\s+\[[xX]\]/.test(line));
  if (!notesAcknowledged) {
    problems.push(
      `${ISSUE_FIELDS.notes}: the box "I have read the upgrade notes for the target version" is not ticked: ` +
        `read the upgrade notes${version ? ` for ${version}` : ""} first (step 1 of the breaking upgrade); Handover does not start until it is ticked`,
    );
  }
  const groupProblems = problems.some((p) => p.startsWith(ISSUE_FIELDS.groups));
  return {
    ok: problems.length === 0,
    problems,
    request: {
      source: CLUSTER_NAME.test(source) ? source : "",
      target: CLUSTER_NAME.test(target) ? target : "",
      version: version ?? versionText,
      groups: groupProblems ? null : groups,
      notesAcknowledged,
      ...(soakText ? { soak: soakText } : {}),
    },
  };
}
