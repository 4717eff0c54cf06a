// No Replicante-shaped config that parses as YAML makes plan fail with anything but a clear result: a plan, an input
// refusal naming what is wrong, or an invariant refusal (never a thrown "internal error").
import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { Document } from "yaml";
import { planMigration } from "../../../src/plan/index.js";
import { request } from "./helpers.js";

const KEYS = [
  "discovery",
  "backends",
  "files",
  "http",
  "url",
  "headers",
  "tls",
  "storage",
  "primary",
  "view",
  "options",
];
const MORE = ["uri", "db", "events", "stream", "brokers", "coordinator", "ensemble", "interval", "cluster_id", "nodes"];

const scalar = fc.oneof(
  fc.constantFrom("conf.d/a.yaml", "http://inv/x", "mongodb://m:27017/", "zk:2181/r", "", "REPLACE-ME"),
  fc.integer({ min: -2, max: 100 }),
  fc.boolean(),
  fc.constant(null),
);

const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS, ...MORE), tie("value"), { maxKeys: 4 }),
  ),
}));

/** A Core config built around the real keys, with a shared object so YAML writes an anchor and aliases. */
const coreConfig = fc
  .record({ shared: fc.dictionary(fc.constantFrom("ca_cert", "X-Team", "url"), scalar, { maxKeys: 2 }), body: value })
  .chain(({ shared, body }) =>
    fc.record({
      discovery: fc.oneof(
        fc.constant({ backends: { files: ["conf.d/a.yaml"] } }),
        fc.constant({
          backends: {
            http: [
              { url: "http://inv/x", tls: shared },
              { url: "http://inv/x", tls: shared },
            ],
          },
        }),
        fc.constant({ interval: 5 }),
        fc.constant(body),
      ),
      storage: fc.oneof(fc.constant(body), fc.constant({ options: { uri: "mongodb://m:27017/" } })),
      events: fc.oneof(fc.constant(body), fc.constant({ stream: { options: { brokers: "k:9092" } } })),
    }),
  );

const versions = fc.constantFrom("0.2.1", "0.3.1", "0.4.0", "0.6.0", "0.7.2", "0.4", "x");

describe("plan on any Replicante-shaped config", () => {
  test.prop([coreConfig, versions, versions, fc.constantFrom("0.3.1", "0.4.0", "0.7.2"), fc.boolean()], {
    numRuns: 80,
  })(
    "returns a plan or a refusal whose every line is a sentence, never throws",
    (core, sourceVersion, targetVersion, issueVersion, targetExists) => {
      const doc = new Document(core, { aliasDuplicateObjects: true });
      const settings = sourceVersion === "0.7.2" ? "    settings_dir: a/apply\n" : "";
      const b = targetExists
        ? `  b:\n    config: b/replicante.yaml\n    version: ${JSON.stringify(targetVersion)}\n`
        : "";
      const tree = new Map<string, string>([
        [
          ".github/handover.yml",
          `version: 1\nclusters:\n  a:\n    config: a/replicante.yaml\n    version: ${JSON.stringify(sourceVersion)}\n${settings}${b}`,
        ],
        ["a/replicante.yaml", doc.toString()],
        ["a/conf.d/a.yaml", "- cluster_id: x\n  nodes: ['http://n:1']\n"],
        ["b/replicante.yaml", "discovery:\n  backends:\n    http: []\n"],
        [
          "a/apply/s.yaml",
          "apiVersion: replicante.io/v0\nkind: DiscoverySettings\nmetadata: {name: s}\nspec: {url: 'http://s'}\n",
        ],
      ]);
      const result = planMigration(tree, request("a", "b", issueVersion), 42);
      if (result.ok) expect(result.plan.steps.length).toBeGreaterThanOrEqual(2);
      else if (result.kind === "input") {
        expect(result.problems.length).toBeGreaterThan(0);
        for (const line of result.problems) expect(line).toMatch(/^\S.{10,}/);
      } else expect(result.violations.length).toBeGreaterThan(0);
    },
  );
});
