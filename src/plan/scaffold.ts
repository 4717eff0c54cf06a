import { posix } from "node:path";
import { insertMapEntry, readEntryRaw, removeKey, removingSeqItems, setScalar } from "../edit/index.js";
import {
  BACKEND_LIST_PATH,
  isKustomization,
  namePattern,
  PLACEHOLDER,
  type Dependency,
  type FileMap,
} from "../repo/index.js";
import { CONFIG_PATH } from "../spec/config.js";
import { InputError } from "../spec/problems.js";
import { parseCoreVersion } from "../spec/version.js";
import { readYaml, readYamlDocuments } from "../spec/yaml.js";
import { clusterFolderOf, ownedFiles } from "./owned.js";
import { deployerFiles, droppingDangling, listCopies } from "./packaging.js";
import { load } from "./load.js";
import type { MigrationContext, StepOutcome } from "./types.js";

/** Values that can never reach a real dependency, shaped like the real thing so the operator sees the format. */
const PLACEHOLDER_VALUE: Record<Dependency["kind"], string> = {
  coordinator: `${PLACEHOLDER}:2181/replicante`,
  storage: `mongodb://${PLACEHOLDER}:27017/`,
  kafka: `${PLACEHOLDER}:9092`,
};

const IMAGE = /(replicanteio\/replicante:)v?[0-9][\w.-]*/g;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Replace a cluster name where it stands as a name, not inside a longer word (`replicore-a` but not `replicore-ab`). */
export function renamer(from: string, to: string): (text: string) => string {
  const pattern = namePattern(from, "g");
  return (text) => text.replace(pattern, to);
}

/**
 * Comment lines left under an emptied list (`files: []` then the old items' comments, indented deeper). The scaffold is
 * a new file, so they describe entries that are not there: drop them.
 */
function withoutStrandedComments(text: string, key: string): string {
  const lines = text.split("\n");
  const at = lines.findIndex((line) => new RegExp(`^\\s*${escapeRegex(key)}:\\s*\\[\\]\\s*$`).test(line));
  if (at === -1) return text;
  const indent = (lines[at] ?? "").search(/\S/);
  let end = at + 1;
  while (end < lines.length && /^\s*#/.test(lines[end] ?? "") && (lines[end] ?? "").search(/\S/) > indent) end++;
  return [...lines.slice(0, at + 1), ...lines.slice(end)].join("\n");
}

/**
 * A Replicante object in settings_dir (DiscoverySettings, NodeAction, OrchestratorAction...): never scaffolded, since
 * a copied action would make the new Core act on datastores the old one still manages.
 */
function isApplyObject(settingsDir: string | undefined, path: string, tree: FileMap): boolean {
  if (settingsDir === undefined || !(path === settingsDir || path.startsWith(`${settingsDir}/`))) return false;
  const docs = readYamlDocuments(path, tree.get(path) ?? "");
  if (!docs.ok) return false;
  return docs.value.some((d) => {
    const apiVersion = (d as { apiVersion?: unknown } | null)?.apiVersion;
    return typeof apiVersion === "string" && apiVersion.startsWith("replicante.io/");
  });
}

/**
 * The `prepare` step: when the target is not in the repo yet, a copy of the source cluster's files with the
 * name replaced, discovery emptied and every dependency endpoint set to REPLACE-ME; nothing when it exists. Work that
 * yields between its parts: each reads or edits a whole Core config, which may list thousands of backends.
 */
export function* scaffolding(tree: FileMap, ctx: MigrationContext): Generator<void, StepOutcome> {
  const model = load(tree);
  const existing = model.clusters.get(ctx.target);
  if (existing) {
    const warnings = existing.backends.length
      ? [
          `target ${ctx.target} already has backends (${existing.backends.map((b) => b.id).join(", ")}); Handover leaves them where they are`,
        ]
      : [];
    return { tree: new Map(tree), warnings };
  }
  const source = model.clusters.get(ctx.source);
  if (!source) throw new InputError([`Source cluster: ${ctx.source} is not a cluster in ${CONFIG_PATH}`]);
  const rename = renamer(source.name, ctx.target);
  const discoveryFiles = new Set(source.backends.flatMap((b) => b.files));
  const copied = ownedFiles(model, source.name, tree).filter(
    (path) => !discoveryFiles.has(path) && !isApplyObject(source.settingsDir, path, tree),
  );
  yield;
  const nameless = copied.filter((path) => rename(path) === path);
  // The target's handover.yml entry is the source's renamed: a dir without the name would be shared by both clusters.
  // That is harmless for files the Core only reads (certificates), never for its config, restart file or discovery.
  const essential = [source.configPath, ...(source.spec.restart ? [source.spec.restart.file] : [])];
  const sharedDirs = [source.workdir, posix.dirname(source.configPath), source.settingsDir ?? ""]
    .concat(
      source.mounts.map(([, dir]) => dir).filter((dir) => [...discoveryFiles].some((f) => f.startsWith(`${dir}/`))),
    )
    .filter((dir) => dir !== "" && dir !== "." && rename(dir) === dir);
  const blocking = nameless.filter(
    (path) =>
      nameless.length === copied.length ||
      essential.includes(path) ||
      sharedDirs.some((dir) => path.startsWith(`${dir}/`)),
  );
  if (blocking.length > 0) {
    const which =
      nameless.length === copied.length ? `none of ${source.name}'s paths` : `these paths of ${source.name}`;
    throw new InputError([
      `${which} (${blocking.join(", ")}) do not contain the name ${JSON.stringify(source.name)}, so Handover cannot tell where ` +
        `${ctx.target}'s copies belong: create ${ctx.target}'s folder by hand with empty discovery, add it to ${CONFIG_PATH}, and file the issue again`,
    ]);
  }
  const next = new Map(tree);
  const placed = copied.filter((path) => !nameless.includes(path));
  for (const path of placed) {
    const destination = rename(path);
    if (tree.has(destination)) {
      throw new InputError([
        `${destination} already exists: the scaffold for ${ctx.target} would overwrite it; move it away or create ${ctx.target} by hand`,
      ]);
    }
    next.set(destination, rename(tree.get(path) ?? "").replace(IMAGE, `$1v${ctx.version}`));
  }
  // The scaffold has no discovery files: its kustomizations must not name them (they come back with each adopt step).
  yield* droppingDangling(next, placed.filter(isKustomization).map(rename));
  const folder = clusterFolderOf(model, source);
  const copies: [string, string][] = placed.map((path) => [path, rename(path)]);
  const unplaced = [...nameless];
  if (folder !== undefined) {
    copies.push([folder, rename(folder)]);
    // The Flux Kustomization or Argo CD Application that deploys the source's folder gets its twin for the target's.
    for (const deployer of deployerFiles(tree, folder)) {
      const destination = rename(deployer);
      if (destination === deployer) unplaced.push(deployer);
      else if (!tree.has(destination)) {
        next.set(destination, rename(tree.get(deployer) ?? ""));
        copies.push([deployer, destination]);
      }
    }
  }
  listCopies(next, copies, rename);
  yield;
  const configPath = rename(source.configPath);
  let core = next.get(configPath) ?? "";
  const listPath = BACKEND_LIST_PATH[source.era];
  if (listPath)
    core = withoutStrandedComments(
      yield* removingSeqItems(core, listPath, () => true),
      listPath[listPath.length - 1] ?? "",
    );
  for (const dependency of source.dependencies) {
    yield;
    core = setScalar(core, dependency.field.split("."), PLACEHOLDER_VALUE[dependency.kind]);
  }
  yield;
  next.set(configPath, inTargetShape(configPath, core, ctx));
  yield;
  const entry = readEntryRaw(model.configText, ["clusters", source.name]);
  if (entry === undefined)
    throw new InputError([`${CONFIG_PATH}: clusters.${source.name} could not be read for copying`]);
  next.set(CONFIG_PATH, targetEntry(model.configText, rename(entry), source.name, ctx, posix.dirname(configPath)));
  const warnings = unplaced.length
    ? [
        `prepare could not place ${unplaced.length} file(s) of ${source.name} for ${ctx.target} (their paths do not contain ${JSON.stringify(source.name)}): ${unplaced.join(", ")}; copy what ${ctx.target} needs by hand on the prepare PR`,
      ]
    : [];
  return { tree: next, warnings, unplaced };
}

type Section = Record<string, unknown>;

function section(value: unknown): Section | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Section) : undefined;
}

/** Replace a top-level section by new raw lines where it stood, the blank lines around it kept. */
function replaceTopLevel(text: string, key: string, raw: string, keys: string[]): string {
  const old = readEntryRaw(text, [key]) ?? "";
  const at = text.indexOf(old);
  if (old !== "" && at >= 0 && (at === 0 || text[at - 1] === "\n") && text.indexOf(old, at + 1) === -1) {
    const spliced = text.slice(0, at) + raw + text.slice(at + old.length);
    const check = readYaml("scaffold", spliced);
    if (check.ok) return spliced;
  }
  const before = keys[keys.indexOf(key) - 1];
  return insertMapEntry(removeKey(text, [key]), [], raw, before);
}

/** Lines of a map entry's value (everything after its key line), indented by `extra` more spaces. */
function valueLines(raw: string, extra: string): string {
  return raw
    .replace(/\n+$/, "")
    .split("\n")
    .slice(1)
    .map((line) => (line.trim() === "" ? "" : `${extra}${line}`))
    .join("\n");
}

/**
 * The copied Core config in the target version's shape (section 3a): 0.4+ `storage.primary` / `storage.view`, no
 * discovery key the target's era ignores, 0.7 `events.stream` flattened into `events`.
 */
function inTargetShape(path: string, text: string, ctx: MigrationContext): string {
  const version = parseCoreVersion(ctx.version);
  const parsed = readYaml(path, text);
  const core = parsed.ok ? section(parsed.value) : undefined;
  if (!version || !core) return text;
  let out = text;
  const keys = () => Object.keys(section((readYaml(path, out) as { value?: unknown }).value) ?? {});
  const storage = section(core.storage);
  if (
    ctx.targetEra !== "files" &&
    storage &&
    !("primary" in storage) &&
    ("backend" in storage || "options" in storage)
  ) {
    const raw = readEntryRaw(out, ["storage"]) ?? "";
    const primary = valueLines(raw, "  ") || `    ${JSON.stringify(storage)}`;
    const view = [
      "  view:",
      "    backend: mongodb",
      "    options:",
      "      db: repliview",
      `      uri: ${PLACEHOLDER_VALUE.storage}`,
    ];
    out = replaceTopLevel(out, "storage", ["storage:", "  primary:", primary, ...view, ""].join("\n"), keys());
  }
  const backends = section(section(core.discovery)?.backends);
  if (backends && ctx.targetEra === "settings") out = removeKey(out, ["discovery", "backends"]);
  else if (backends && ctx.targetEra === "http" && "files" in backends) {
    if (!("http" in backends)) out = insertMapEntry(out, ["discovery", "backends"], "http: []\n", "files");
    out = removeKey(out, ["discovery", "backends", "files"]);
  }
  const events = section(core.events);
  if (version.major === 0 && version.minor >= 7 && events && section(events.stream)) {
    const stream = readEntryRaw(out, ["events", "stream"]) ?? "";
    out = replaceTopLevel(out, "events", `events:\n${valueLines(stream, "")}\n`, keys());
  }
  return out;
}

/**
 * The target's handover.yml entry: the source's renamed, stating the target version (its era follows from it), with a
 * settings_dir in the settings era and a static_discovery (url REPLACE-ME) when files-era backends come over.
 */
function targetEntry(configText: string, entry: string, after: string, ctx: MigrationContext, dir: string): string {
  const cluster = ["clusters", ctx.target];
  let text = insertMapEntry(configText, ["clusters"], entry, after);
  if (ctx.targetEra === "settings" && readEntryRaw(text, [...cluster, "settings_dir"]) === undefined) {
    text = insertMapEntry(text, cluster, `settings_dir: ${posix.join(dir, "apply")}\n`, "config");
  }
  if (
    ctx.era === "files" &&
    ctx.targetEra !== "files" &&
    readEntryRaw(text, [...cluster, "static_discovery"]) === undefined
  ) {
    const site = `static_discovery:\n  dir: discovery/${ctx.target}\n  url: https://${PLACEHOLDER}/${ctx.target}\n`;
    text = insertMapEntry(text, cluster, site, "config");
  }
  text =
    readEntryRaw(text, [...cluster, "version"]) === undefined
      ? insertMapEntry(text, cluster, `version: ${ctx.version}\n`, "config")
      : setScalar(text, [...cluster, "version"], ctx.version);
  if (readEntryRaw(text, [...cluster, "discovery"]) !== undefined)
    text = setScalar(text, [...cluster, "discovery"], ctx.targetEra);
  return text;
}
