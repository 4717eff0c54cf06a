import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { CONFIG_PATH } from "../spec/config.js";
import { formBody } from "../spec/issue.js";
import { readYaml } from "../spec/yaml.js";
import { detectedLines } from "./init-detect.js";
import { clusterNameOf, deployerOf, namingFolder, workloadOf } from "./infer.js";
import { EXIT, paint, readRepoDir, type Io } from "./io.js";

export const ISSUE_FORM_PATH = ".github/ISSUE_TEMPLATE/replicante-upgrade.yml";

/** The issue form shipped with Handover (package root, beside lib/ and src/). */
const SHIPPED_FORM = fileURLToPath(new URL(`../../${ISSUE_FORM_PATH}`, import.meta.url));

function uniqueName(base: string, taken: Set<string>): string {
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
    const name = uniqueName(clusterNameOf(tree, path), taken);
    const mounts = Object.entries(inferMounts(tree, path));
    const workload = workloadOf(tree, path);
    const deployer = deployerOf(tree, namingFolder(path));
    const restart = workload
      ? [
          `    restart:              # the ${workload.kind} ${workload.name} runs this Core: bumping its pod annotation restarts it`,
          `      file: ${workload.file}`,
          "      key: [spec, template, metadata, annotations, handover.replicante.io/restart]",
          ...(workload.document > 0 ? [`      document: ${workload.document}`] : []),
        ]
      : [
          "    # restart:            # how a rolling restart is asked for through git (files and http eras): no Deployment",
          "    #                     # or StatefulSet found beside the config; name the file that runs this Core",
          "    #   file: path/to/statefulset.yaml",
          "    #   key: [spec, template, metadata, annotations, handover.replicante.io/restart]",
        ];
    const health = deployer
      ? [
          "    health:",
          "flux" in deployer
            ? `      - flux: ${deployer.flux}   # Flux Kustomization found in the repo: status kustomization/${deployer.flux}/<provider-uid-prefix>`
            : `      - argocd: ${deployer.argocd}   # Argo CD Application found in the repo: status continuous-delivery/${deployer.argocd}`,
        ]
      : [
          "    health: []          # no Flux Kustomization or Argo CD Application found for this folder: add what tells",
          `                        # ${name} is healthy (- flux: NAME, - argocd: APP, - deployment: ENV, - http: URL),`,
          "                        # or write `health: none`; until then the App will not start a migration of it",
        ];
    return [
      `  ${name}:`,
      `    config: ${path}`,
      ...detectedLines(tree, path),
      ...(mounts.length
        ? [
            `    mounts: { ${mounts.map(([abs, dir]) => `${abs}: ${dir}`).join(", ")} }   # absolute paths in the Core config`,
          ]
        : []),
      ...restart,
      ...health,
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

export const ISSUE_EXAMPLE_PATH = "issue.example.md";

/** A migration issue body for the first cluster found, for `handover plan --issue issue.example.md`. */
export function exampleIssue(tree: ReadonlyMap<string, string>): string {
  const config = [...tree.keys()].filter((p) => /(^|\/)replicante\.ya?ml$/.test(p)).sort()[0];
  const source = config ? clusterNameOf(tree, config) : "replicore-a";
  const tag = config
    ? /replicanteio\/replicante:v?(\d+\.\d+\.\d+)/.exec(tree.get(workloadOf(tree, config)?.file ?? "") ?? "")?.[1]
    : undefined;
  return formBody({ source, target: `${source}-next`, version: tag ?? "0.3.1" });
}

/** `handover init`: write the issue form and a starter handover.yml, never overwriting either. */
export async function initCommand(io: Io, options: { repo: string }): Promise<number> {
  const tree = await readRepoDir(options.repo);
  const files: [string, () => Promise<string>][] = [
    [ISSUE_FORM_PATH, () => readFile(SHIPPED_FORM, "utf8")],
    [CONFIG_PATH, async () => starterConfig(tree)],
    [ISSUE_EXAMPLE_PATH, async () => exampleIssue(tree)],
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
