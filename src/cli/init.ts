import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIG_PATH } from "../spec/config.js";
import { readYaml } from "../spec/yaml.js";
import { detectedLines } from "./init-detect.js";
import { EXIT, paint, readRepoDir, type Io } from "./io.js";

export const ISSUE_FORM_PATH = ".github/ISSUE_TEMPLATE/replicante-upgrade.yml";

/** The issue form shipped with Handover (package root, beside lib/ and src/). */
const SHIPPED_FORM = fileURLToPath(new URL(`../../${ISSUE_FORM_PATH}`, import.meta.url));

function clusterName(dir: string, taken: Set<string>): string {
  const base =
    (posix.basename(dir) || "replicore")
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, "-")
      .replace(/^[^a-z0-9]+/, "") || "replicore";
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

/**
 * Absolute discovery entries (`/opt/replicante/conf.d/x.yaml`) need a mount: the prefix whose rest names a file
 * that exists under the config's folder (`conf.d/x.yaml`) maps to that folder.
 */
export function inferMounts(tree: ReadonlyMap<string, string>, configPath: string): Record<string, string> {
  const parsed = readYaml(configPath, tree.get(configPath) ?? "");
  const files = parsed.ok
    ? (parsed.value as { discovery?: { backends?: { files?: unknown } } } | null)?.discovery?.backends?.files
    : undefined;
  const dir = posix.dirname(configPath);
  const mounts: Record<string, string> = {};
  for (const entry of Array.isArray(files) ? files : []) {
    if (typeof entry !== "string" || !entry.startsWith("/")) continue;
    const parts = entry.split("/").filter(Boolean);
    for (let cut = 1; cut < parts.length; cut++) {
      const rest = parts.slice(cut).join("/");
      if (tree.has(posix.join(dir, rest))) {
        mounts[`/${parts.slice(0, cut).join("/")}`] = dir;
        break;
      }
    }
  }
  return mounts;
}

/** A starter handover.yml listing every Core config found in the repo. */
export function starterConfig(tree: ReadonlyMap<string, string>): string {
  const configs = [...tree.keys()].filter((p) => /(^|\/)replicante\.ya?ml$/.test(p)).sort();
  const taken = new Set<string>();
  const clusters = configs.map((path) => {
    const name = clusterName(posix.dirname(path), taken);
    const mounts = Object.entries(inferMounts(tree, path));
    return [
      `  ${name}:`,
      `    config: ${path}`,
      ...detectedLines(tree, path),
      ...(mounts.length
        ? [
            `    mounts: { ${mounts.map(([abs, dir]) => `${abs}: ${dir}`).join(", ")} }   # absolute paths in the Core config`,
          ]
        : []),
      `    # restart:            # how a rolling restart is asked for through git (files and http eras)`,
      `    #   file: ${posix.dirname(path)}/statefulset.yaml`,
      `    #   key: [spec, template, metadata, annotations, handover.replicante.io/restart]`,
      `    health: []          # e.g. - status: "flux/kustomization/${name}*"  - deployment: ${name}`,
    ].join("\n");
  });
  return [
    "# Handover: where each Replicante Core cluster lives and how to tell it is healthy.",
    "# Every option: docs/config-reference.md in Handover's repo, or `handover schema`.",
    "version: 1",
    clusters.length ? "clusters:" : "clusters: {}   # no replicante.yaml found: add your Core clusters here",
    ...clusters,
    "defaults:",
    "  soak: 10m",
    "  timeout: 2h",
    "commands:",
    "  permission: write",
    "  elevated: maintain",
    "",
  ].join("\n");
}

/** `handover init`: write the issue form and a starter handover.yml, never overwriting either. */
export async function initCommand(io: Io, options: { repo: string }): Promise<number> {
  const tree = await readRepoDir(options.repo);
  const files: [string, () => Promise<string>][] = [
    [ISSUE_FORM_PATH, () => readFile(SHIPPED_FORM, "utf8")],
    [CONFIG_PATH, async () => starterConfig(tree)],
  ];
  for (const [path, content] of files) {
    const full = join(options.repo, path);
    if (existsSync(full)) {
      io.out(`${paint(io, "dim", "kept")}    ${path} (already there; not overwritten)\n`);
      continue;
    }
    const text = await content();
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, text, { flag: "wx" });
    io.out(`${paint(io, "green", "wrote")}   ${path}\n`);
  }
  io.out(
    `\nNext: review ${CONFIG_PATH} (health checks, restart keys), run \`handover check --repo ${options.repo}\`, commit, and file a "Replicante Core breaking upgrade" issue.\n`,
  );
  return EXIT.ok;
}
