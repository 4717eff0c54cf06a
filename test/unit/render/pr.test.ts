import { describe, expect, it } from "vitest";
import type { PlannedStep } from "../../../src/plan/index.js";
import { renderPrBody } from "../../../src/render/pr.js";
import { readStepMarker, stepMarker } from "../../../src/spec/markers.js";
import { IDS, STEPS, changesOf, step } from "../engine/helpers.js";

const FOOTER =
  "<sub>Comment `/handover status`, `pause`, `resume`, `retry [step]`, `skip [step]`, `abort -- reason`, `rollback`, `decommission`, `approve [step]` or `help` here or on #42. Every step is checked so that no two Replicante Core clusters ever manage the same datastore.</sub>";
const body = (s: PlannedStep, previousPr: number | null, changes = changesOf(s.id)) =>
  renderPrBody({
    issue: 42,
    step: s,
    index: IDS.indexOf(s.id),
    total: IDS.length,
    previousPr,
    changes,
    version: "0.3.1",
  });

describe("renderPrBody: whole bodies", () => {
  it("prepare with REPLACE-ME: first PR, gate on the target, the checklist", () => {
    expect(body(step("prepare"), null)).toBe(
      [
        "<!-- handover:step issue=42 step=prepare -->",
        "**Handover step 1 of 8** for #42: Prepare replicore-b for Replicante Core 0.3.1.",
        "",
        "Stands up the new Core cluster on its own dependencies with no discovery backends (steps 2-5 of Replicante's Breaking Upgrades guide).",
        "",
        "Previous step: none (this is the first PR)",
        "",
        "### Changes",
        "- update `.github/handover.yml`",
        "- create `clusters/replicore-b/replicante.yaml`",
        "- create `clusters/replicore-b/statefulset.yaml`",
        "",
        "### Gate",
        "After merge, **replicore-b** must stay healthy for **15m** without a break (time-out 2h) before the next step opens:",
        "- Flux Kustomization `replicore-b` reports success (commit status `kustomization/replicore-b/*`)",
        "- newest deployment to `replicore-b` is success",
        "",
        "### Before you merge",
        "- [ ] Replace every `REPLACE-ME` with the new cluster's **own** dependencies (Zookeeper ensemble, MongoDB uri, Kafka brokers): it must not share any with the old cluster.",
        "- [ ] Check the new cluster runs Replicante Core **0.3.1** (image tags).",
        "- [ ] Push your changes to this branch: Handover never overwrites commits made by people.",
        "- [ ] Mark the PR ready for review; the `handover/guard` check fails while a placeholder is left.",
        "",
        FOOTER,
      ].join("\n"),
    );
  });

  it("release: previous PR linked, gate on the source, no checklist", () => {
    expect(body(step("release-canary"), 101)).toBe(
      [
        "<!-- handover:step issue=42 step=release-canary -->",
        "**Handover step 2 of 8** for #42: Release canary (mongo) from replicore-a.",
        "",
        "Removes these backends from the old cluster and asks for its rolling restart, so it stops managing them (steps 6.1-6.2 of Replicante's Breaking Upgrades guide).",
        "",
        "Previous step: #101",
        "",
        "### Changes",
        "- update `clusters/replicore-a/replicante.yaml`",
        "- update `clusters/replicore-a/statefulset.yaml`",
        "",
        "### Gate",
        "After merge, **replicore-a** must stay healthy for **15m** without a break (time-out 2h) before the next step opens:",
        "- Flux Kustomization `replicore-a` reports success (commit status `kustomization/replicore-a/*`)",
        "- newest deployment to `replicore-a` is success",
        "",
        FOOTER,
      ].join("\n"),
    );
  });

  it("decommission: no gate", () => {
    expect(body(step("decommission"), 107)).toBe(
      [
        "<!-- handover:step issue=42 step=decommission -->",
        "**Handover step 8 of 8** for #42: Decommission replicore-a.",
        "",
        "Deletes the old cluster's files and its handover.yml entry (step 7 of Replicante's Breaking Upgrades guide), approved with `/handover decommission`.",
        "",
        "Previous step: #107",
        "",
        "### Changes",
        "- update `.github/handover.yml`",
        "- delete `clusters/replicore-a/conf.d/kafka.yaml`",
        "- delete `clusters/replicore-a/conf.d/mongo.yaml`",
        "- delete `clusters/replicore-a/conf.d/zookeeper.yaml`",
        "- delete `clusters/replicore-a/replicante.yaml`",
        "- delete `clusters/replicore-a/statefulset.yaml`",
        "",
        "### Gate",
        "No gate: this is the last step.",
        "",
        FOOTER,
      ].join("\n"),
    );
  });
});

describe("renderPrBody: parts", () => {
  it.each(STEPS.map((s, i) => ({ id: s.id, s, previous: i === 0 ? null : 100 + i })))(
    "$id: marker first, links, every change",
    ({ s, previous }) => {
      const text = body(s, previous);
      const lines = text.split("\n");
      expect(lines[0]).toBe(stepMarker(42, s.id));
      expect(lines[1]).toContain(" for #42: ");
      expect(lines).toContain(
        previous === null ? "Previous step: none (this is the first PR)" : `Previous step: #${previous}`,
      );
      const listed = lines.slice(lines.indexOf("### Changes") + 1, lines.indexOf("### Gate") - 1);
      expect(listed).toStrictEqual(s.changes.map((c) => `- ${c.action} \`${c.path}\``));
    },
  );

  it("describes each kind of gate check, and a gate with no checks", () => {
    const base = step("adopt-canary");
    const gate = { cluster: "replicore-b", soak: "10m", timeout: "1h" };
    const withHttp: PlannedStep = {
      ...base,
      gate: {
        ...gate,
        checks: [
          { status: "ci/*" },
          { deployment: "prod-b" },
          { http: "https://b.internal:16016/api/unstable/introspect/health", version: true },
          { http: "https://c.internal/health" },
        ],
      },
    };
    const none: PlannedStep = { ...base, gate: { ...gate, checks: [] } };
    const gateLines = (s: PlannedStep) => {
      const l = body(s, 102).split("\n");
      return l.slice(l.indexOf("### Gate") + 1, l.indexOf("", l.indexOf("### Gate")));
    };
    expect(gateLines(withHttp)).toStrictEqual([
      "After merge, **replicore-b** must stay healthy for **10m** without a break (time-out 1h) before the next step opens:",
      "- commit status / check run `ci/*` is success",
      "- newest deployment to `prod-b` is success",
      "- `https://b.internal:16016/api/unstable/introspect/health` reports every result HEALTHY and the target version",
      "- `https://c.internal/health` reports every result HEALTHY",
    ]);
    expect(gateLines(none)).toStrictEqual([
      "After merge, **replicore-b** must stay healthy for **10m** without a break (time-out 1h) before the next step opens:",
      "- (no checks configured: only the soak time)",
    ]);
  });

  it("prepare without a placeholder (operators filled it in, or no scaffold) has no checklist", () => {
    const filled = changesOf("prepare").map((c) => ({
      ...c,
      content: c.content?.replaceAll("REPLACE-ME", "zk-b:2181") ?? null,
    }));
    expect(body(step("prepare"), null, filled)).not.toContain("### Before you merge");
    expect(body(step("prepare"), null, [])).not.toContain("### Before you merge");
    expect(
      body(step("adopt-canary"), 102, [{ path: "x.yaml", action: "create", content: "REPLACE-ME" }]),
    ).not.toContain("### Before you merge");
  });
});

describe("stepMarker / readStepMarker", () => {
  it.each([
    { issue: 42, step: "prepare" },
    { issue: 1, step: "release-wave-1" },
    { issue: 987654, step: "adopt-rest" },
    { issue: 42, step: "decommission" },
  ])("round trip: #$issue $step", ({ issue, step: id }) => {
    expect(stepMarker(issue, id)).toBe(`<!-- handover:step issue=${issue} step=${id} -->`);
    expect(readStepMarker(stepMarker(issue, id))).toStrictEqual({ issue, step: id });
    expect(readStepMarker(`${stepMarker(issue, id)}\n**Handover step** text`)).toStrictEqual({ issue, step: id });
  });

  it("reads the marker of every rendered body", () => {
    for (const s of STEPS) expect(readStepMarker(body(s, null))).toStrictEqual({ issue: 42, step: s.id });
  });

  it.each([
    { name: "null", text: null },
    { name: "undefined", text: undefined },
    { name: "empty", text: "" },
    { name: "plain text", text: "Fixes #42" },
    { name: "issue not a number", text: "<!-- handover:step issue=abc step=prepare -->" },
    { name: "negative issue", text: "<!-- handover:step issue=-4 step=prepare -->" },
    { name: "uppercase step", text: "<!-- handover:step issue=42 step=Prepare -->" },
    { name: "step with a space", text: "<!-- handover:step issue=42 step=pre pare -->" },
    { name: "step missing", text: "<!-- handover:step issue=42 -->" },
    { name: "unclosed", text: "<!-- handover:step issue=42 step=prepare" },
    { name: "other marker", text: "<!-- handover:dashboard -->" },
  ])("rejects $name", ({ text }) => {
    expect(readStepMarker(text)).toBeUndefined();
  });
});
