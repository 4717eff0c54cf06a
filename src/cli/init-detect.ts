import { posix } from "node:path";
import { parseCoreVersion } from "../spec/version.js";
import { readYamlDocuments } from "../spec/yaml.js";

/** What `init` can read about a cluster from its folder: its Core version (image tags) and its settings_dir. */

const IMAGE_TAG = /replicanteio\/replicante:v?(\d+\.\d+(?:\.\d+)?)\b/g;

function under(path: string, dir: string): boolean {
  return dir === "" || dir === "." || path.startsWith(`${dir}/`);
}

/** The Core version the folder's `replicanteio/replicante:<tag>` images name, when they all name one. */
export function imageVersion(tree: ReadonlyMap<string, string>, dir: string): string | undefined {
  const found = new Set<string>();
  for (const [path, text] of tree) {
    if (!under(path, dir)) continue;
    for (const match of text.matchAll(IMAGE_TAG)) if (match[1] && parseCoreVersion(match[1])) found.add(match[1]);
  }
  return found.size === 1 ? [...found][0] : undefined;
}

/** The folder under dir that holds `kind: DiscoverySettings` objects (Core 0.7's backends), when there is one. */
export function settingsFolder(tree: ReadonlyMap<string, string>, dir: string): string | undefined {
  const folders = new Set<string>();
  for (const [path, text] of tree) {
    if (!under(path, dir) || !/\.ya?ml$/.test(path) || !text.includes("DiscoverySettings")) continue;
    const docs = readYamlDocuments(path, text);
    if (docs.ok && docs.value.some((d) => (d as { kind?: unknown } | null)?.kind === "DiscoverySettings"))
      folders.add(posix.dirname(path));
  }
  return folders.size === 1 ? [...folders][0] : undefined;
}

/** The `version:` and `settings_dir:` lines of a cluster's starter entry. */
export function detectedLines(tree: ReadonlyMap<string, string>, configPath: string): string[] {
  const dir = posix.dirname(configPath);
  const version = imageVersion(tree, dir);
  const parsed = version ? parseCoreVersion(version) : undefined;
  const settings = settingsFolder(tree, dir);
  const settingsEra = !parsed || parsed.major > 0 || parsed.minor >= 7;
  return [
    ...(version ? [`    version: ${JSON.stringify(version)}   # read from the replicanteio/replicante image tag`] : []),
    ...(settings && settingsEra ? [`    settings_dir: ${settings}   # its DiscoverySettings objects (Core 0.7)`] : []),
  ];
}
