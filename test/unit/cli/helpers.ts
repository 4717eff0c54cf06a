// Shared set-up for the CLI tests: temp copies of the example config repo, captured output, tree hashes.
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../../src/cli/main.js";

export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const EXAMPLE_REPO = join(ROOT, "examples/config-repo");
export const EXAMPLE_ISSUE = readFileSync(join(ROOT, "examples/issue.md"), "utf8");
export const CONFIG = ".github/handover.yml";
export const CORE_A = "clusters/replicore-a/replicante.yaml";
export const CORE_B = "clusters/replicore-b/replicante.yaml";

/** New content of a file: text, a function of the old text, or null to delete it. */
export type Mutation = string | null | ((old: string) => string);

/** Replace one exact piece of text, failing loudly when the example no longer contains it. */
export function replaceOnce(from: string, to: string): (old: string) => string {
  return (old) => {
    if (!old.includes(from)) throw new Error(`test set-up: ${JSON.stringify(from)} is not in the file`);
    return old.replace(from, to);
  };
}

const created: string[] = [];

export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `handover-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Remove every temp dir made through tempDir (call from afterAll). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A temp copy of examples/config-repo with some files replaced, created or deleted. */
export function exampleCopy(mutations: Record<string, Mutation> = {}): string {
  const dir = tempDir("repo");
  cpSync(EXAMPLE_REPO, dir, { recursive: true });
  for (const [path, mutation] of Object.entries(mutations)) {
    const full = join(dir, path);
    if (mutation === null) {
      rmSync(full);
      continue;
    }
    const next = typeof mutation === "function" ? mutation(readFileSync(full, "utf8")) : mutation;
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, next);
  }
  return dir;
}

/** An issue body written to its own temp dir (never inside a repo under test). */
export function issueFile(body: string): string {
  const path = join(tempDir("issue"), "issue.md");
  writeFileSync(path, body);
  return path;
}

/** Every file under dir (posix paths, sorted) with a hash of its bytes. */
export function hashTree(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    for (const entry of readdirSync(abs, { withFileTypes: true })) {
      const path = rel ? posix.join(rel, entry.name) : entry.name;
      if (entry.isDirectory()) {
        hashes[`${path}/`] = "dir";
        walk(join(abs, entry.name), path);
      } else {
        hashes[path] = createHash("sha256")
          .update(readFileSync(join(abs, entry.name)))
          .digest("hex");
      }
    }
  };
  if (existsSync(dir)) walk(dir, "");
  return hashes;
}

/** Every file under dir as text, by repo path. */
export function readTree(dir: string): Map<string, string> {
  const tree = new Map<string, string>();
  for (const path of Object.keys(hashTree(dir))) {
    if (!path.endsWith("/")) tree.set(path, readFileSync(join(dir, path), "utf8"));
  }
  return tree;
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** `handover ...argv` with stdout and stderr captured. */
export async function cli(argv: string[]): Promise<CliRun> {
  let out = "";
  let err = "";
  const code = await main(argv, { out: (text) => void (out += text), err: (text) => void (err += text), color: false });
  return { code, out, err };
}

/** Lines that look like a JavaScript stack frame. */
export function stackLines(text: string): string[] {
  return text.split("\n").filter((line) => /^\s+at /.test(line));
}

/** A Core 0.3 config for a second cluster, with its own dependencies unless told otherwise. */
export function coreConfig(files: string, deps: { ensemble?: string; uri?: string; db?: string } = {}): string {
  return [
    "coordinator:",
    "  backend: zookeeper",
    "  options:",
    `    ensemble: '${deps.ensemble ?? "zk1.new:2181/replicante"}'`,
    "discovery:",
    "  backends:",
    `    files: ${files}`,
    "storage:",
    "  backend: mongodb",
    "  options:",
    `    db: ${deps.db ?? "replicore"}`,
    `    uri: '${deps.uri ?? "mongodb://mongo1.new:27017/"}'`,
    "",
  ].join("\n");
}

/** Add a cluster entry to the example handover.yml, just before `defaults:`. */
export function addCluster(name: string, lines: string[]): (old: string) => string {
  // A cluster without health entries gets a warning from check: give it a gate unless the test writes one.
  const all = lines.some((l) => l.startsWith("health:")) ? lines : [...lines, `health: [{ deployment: ${name} }]`];
  return replaceOnce("\ndefaults:", `  ${name}:\n${all.map((l) => `    ${l}`).join("\n")}\n\ndefaults:`);
}

/** Replace the body of one `### Heading` section of an issue. */
export function setSection(heading: string, value: string): (body: string) => string {
  return (body) => {
    const pattern = new RegExp(`(### ${heading}\\n\\n)[^#]*`);
    if (!pattern.test(body)) throw new Error(`test set-up: no section ${heading}`);
    return body.replace(pattern, `$1${value}\n\n`);
  };
}
