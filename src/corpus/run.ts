// Driving every edit primitive over a set of files and their variants, and the table of what came out.
import { runOp, type Engine, type Outcome } from "./check.js";
import { OP_KINDS, parseForTargets, randomOp, targetsOf, type Op, type OpKind } from "./ops.js";
import { hash, seeded } from "./random.js";
import { variant, type VariantName, VARIANTS } from "./variants.js";

export interface CorpusFile {
  /** Where it came from, for the failure report. */
  name: string;
  text: string;
}

export interface RunOptions {
  seed: number;
  /** Ops of each kind per file variant. */
  opsPerKind: number;
  variants: readonly VariantName[];
}

export const DEFAULT_OPTIONS: RunOptions = { seed: 11, opsPerKind: 4, variants: VARIANTS };

export interface OpTally {
  ops: number;
  passes: number;
  refusals: Map<string, number>;
  /** The first refusal of each reason, to show where it happened. */
  examples: Map<string, Failure>;
  crashes: number;
  broken: number;
}

export interface Failure {
  file: string;
  variant: VariantName;
  op: Op;
  outcome: Outcome;
}

export interface Tally {
  files: number;
  /** File variants edited (a variant that does not read as the original's value is not one). */
  texts: number;
  /** Files that are not valid YAML to begin with (nothing to edit). */
  invalid: number;
  byOp: Map<OpKind, OpTally>;
  failures: Failure[];
}

export function emptyTally(): Tally {
  const byOp = new Map<OpKind, OpTally>();
  for (const kind of OP_KINDS)
    byOp.set(kind, { ops: 0, passes: 0, refusals: new Map(), examples: new Map(), crashes: 0, broken: 0 });
  return { files: 0, texts: 0, invalid: 0, byOp, failures: [] };
}

function record(tally: Tally, failure: Failure): void {
  const t = tally.byOp.get(failure.op.kind);
  if (!t) return;
  t.ops++;
  const o = failure.outcome;
  if (o.kind === "pass") t.passes++;
  else if (o.kind === "refused") {
    t.refusals.set(o.reason, (t.refusals.get(o.reason) ?? 0) + 1);
    if (!t.examples.has(o.reason)) t.examples.set(o.reason, failure);
  } else {
    if (o.kind === "crash") t.crashes++;
    else t.broken++;
    tally.failures.push(failure);
  }
}

/** Run seeded random ops of every kind over each file and its variants. */
export function runCorpus(engine: Engine, files: Iterable<CorpusFile>, options: RunOptions = DEFAULT_OPTIONS): Tally {
  const tally = emptyTally();
  for (const file of files) {
    tally.files++;
    if (!parseForTargets(file.text)) {
      tally.invalid++;
      continue;
    }
    for (const name of options.variants) {
      const text = variant(file.text, name);
      const docs = text === undefined ? undefined : parseForTargets(text);
      if (text === undefined || !docs) continue;
      tally.texts++;
      const targets = targetsOf(docs);
      const rng = seeded(hash(`${file.name}#${name}`, options.seed));
      const copies = (doc: number, path: readonly (string | number)[]) => {
        try {
          return engine.readSeqItems(text, path, doc).map((i) => i.raw);
        } catch {
          return [];
        }
      };
      for (const kind of OP_KINDS) {
        for (let n = 0; n < options.opsPerKind; n++) {
          const op = randomOp(kind, text, targets, rng, copies);
          if (op) record(tally, { file: file.name, variant: name, op, outcome: runOp(engine, text, op) });
        }
      }
    }
  }
  return tally;
}

/** Totals over every op kind. */
export function totals(tally: Tally): {
  ops: number;
  passes: number;
  refusals: number;
  crashes: number;
  broken: number;
} {
  let ops = 0;
  let passes = 0;
  let refusals = 0;
  let crashes = 0;
  let broken = 0;
  for (const t of tally.byOp.values()) {
    ops += t.ops;
    passes += t.passes;
    refusals += [...t.refusals.values()].reduce((a, b) => a + b, 0);
    crashes += t.crashes;
    broken += t.broken;
  }
  return { ops, passes, refusals, crashes, broken };
}

/** The report: a table of ops, passes, refusals, crashes and broken promises, then refusals by reason. */
export function formatTally(tally: Tally, maxFailures = 10, examples = false): string {
  const rows = [["op", "ops", "passes", "refusals", "crashes", "broken"]];
  for (const [kind, t] of tally.byOp) {
    const refusals = [...t.refusals.values()].reduce((a, b) => a + b, 0);
    rows.push([kind, ...[t.ops, t.passes, refusals, t.crashes, t.broken].map(String)]);
  }
  const all = totals(tally);
  rows.push(["total", ...[all.ops, all.passes, all.refusals, all.crashes, all.broken].map(String)]);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length))) ?? [];
  const line = (r: string[]) =>
    r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join("  ");
  const out = [
    `files: ${tally.files} (${tally.invalid} not valid YAML, skipped); file variants edited: ${tally.texts}`,
    "",
    line(rows[0] ?? []),
    ...rows.slice(1).map(line),
    "",
    "refusals by reason:",
  ];
  for (const [kind, t] of tally.byOp) {
    const reasons = [...t.refusals].sort((a, b) => b[1] - a[1]);
    for (const [reason, n] of reasons) {
      out.push(`  ${kind.padEnd(14)}  ${String(n).padStart(5)}  ${reason.split("\n")[0]}`);
      const e = t.examples.get(reason);
      if (examples && e?.outcome.kind === "refused") {
        out.push(
          `      e.g. ${e.file} [${e.variant}] ${JSON.stringify(e.op)}`,
          `      ${e.outcome.message.split("\n")[0]}`,
        );
      }
    }
  }
  if (tally.failures.length) {
    out.push("", `crashes and broken promises (first ${Math.min(maxFailures, tally.failures.length)}):`);
    for (const f of tally.failures.slice(0, maxFailures)) {
      const o = f.outcome;
      const what = o.kind === "crash" ? `crash: ${o.detail}` : o.kind === "broken" ? `${o.check}: ${o.detail}` : "";
      out.push(`  ${f.file} [${f.variant}] ${JSON.stringify(f.op)}`, `    ${what}`);
    }
  }
  return out.join("\n");
}
