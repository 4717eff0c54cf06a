// Turning a DiscoverySettings file off by its lines (the shape settings folders are written in) against turning it
// off by its parsed documents: the same bytes whenever the line path answers, on files built from Replicante's
// object shape and from near misses (comments, quotes, an `enabled:` map, `backend` first or not, no `enabled`).
import { fc } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { disablingDocuments, disablingLines } from "../../../src/plan/translate.js";
import { InputError } from "../../../src/spec/problems.js";

const enabled = fc.constantFrom(
  "  enabled: true",
  "  enabled: false",
  "  enabled: 'yes'",
  '  enabled: "true"',
  "  enabled: True",
  "  enabled:\n    value: true",
  "  enabled: true # on",
);
const specLine = fc.constantFrom(
  "  backend: http",
  "  interval: 300",
  "  method: GET",
  "  url: 'http://inventory.corp/discovery/replicante.json'",
  '  url: "http://static.old/discovery/kafka.json"',
  "  # polled every 10 seconds",
  "",
  "  extra:\n    depth: 2",
);
const spec = fc
  .tuple(fc.array(specLine, { maxLength: 4 }), fc.option(enabled, { nil: undefined }), fc.nat(4))
  .map(([lines, flag, at]) => {
    const all: string[] = [...lines];
    if (flag !== undefined) all.splice(Math.min(at, all.length), 0, flag);
    return all;
  });
const head = fc.constantFrom(
  ["apiVersion: replicante.io/v0", "kind: DiscoverySettings"],
  ["# MongoDB inventory", "apiVersion: replicante.io/v0", "kind: DiscoverySettings"],
  ["kind: DiscoverySettings", "apiVersion: replicante.io/v0"],
  ["apiVersion: replicante.io/v0", "kind: NodeAction"],
);
const metadata = fc.constantFrom(
  ["metadata:", "  namespace: default", "  name: inventory"],
  ["metadata:", "  name: a"],
);
const file = fc
  .tuple(head, metadata, spec, fc.boolean())
  .map(([h, m, s, tail]) => `${[...h, ...m, "spec:", ...s, ...(tail ? ["status: {}"] : [])].join("\n")}\n`);

/** disablingDocuments' answer, or the message it refuses with. */
function byDocuments(text: string): unknown {
  try {
    return disablingDocuments("apply/a.yaml", text);
  } catch (err) {
    if (err instanceof InputError) return err.problems;
    throw err;
  }
}

describe("disablingLines", () => {
  it("turns a file off as the documents path does, and answers for most of Replicante's shapes", () => {
    let answered = 0;
    fc.assert(
      fc.property(file, (text) => {
        const lines = disablingLines(text);
        if (lines === undefined) return;
        answered++;
        expect(lines).toEqual(byDocuments(text));
      }),
      { numRuns: 500 },
    );
    expect(answered).toBeGreaterThan(60);
  });

  it("sets the value in place, puts the line after a first backend: or before the first key, and leaves a map to the parser", () => {
    const object = (spec: string) =>
      `apiVersion: replicante.io/v0\nkind: DiscoverySettings\nmetadata:\n  name: a\nspec:\n${spec}`;
    expect(disablingLines(object("  backend: http\n  enabled: true # on\n"))).toBeUndefined();
    expect(disablingLines(object("  backend: http\n  enabled: 'yes'\n  url: u\n"))?.out).toBe(
      object("  backend: http\n  enabled: false\n  url: u\n"),
    );
    expect(disablingLines(object("  backend: http\n  # c\n  url: u\n"))?.out).toBe(
      object("  backend: http\n  enabled: false\n  # c\n  url: u\n"),
    );
    expect(disablingLines(object("  # c\n  url: u\n  backend: http\n"))?.out).toBe(
      object("  # c\n  enabled: false\n  url: u\n  backend: http\n"),
    );
    expect(disablingLines(object("  backend: http\n  enabled: false\n"))?.out).toBe(
      object("  backend: http\n  enabled: false\n"),
    );
    expect(disablingLines(object("  enabled:\n    on: true\n"))).toBeUndefined();
    expect(disablingLines(object("  backend: http\n").replace("DiscoverySettings", "NodeAction"))).toBeUndefined();
  });
});
