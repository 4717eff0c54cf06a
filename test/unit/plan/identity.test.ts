// Backends as Replicante identifies them (url + headers + tls), anchors and aliases as YAML defines them, and the
// restart key rule, on the Core 0.6 fixture (http discovery, a StatefulSet restart annotation with a comment).
import { describe, expect, it } from "vitest";
import { planMigration } from "../../../src/plan/index.js";
import { httpIdentity, loadRepo, normalizeUrl } from "../../../src/repo/index.js";
import { edit, fixture, planOk, request, stepNamed, treeAfter } from "./helpers.js";

const BLUE = "k8s/replicore-blue/replicante.yaml";
const GREEN = "k8s/replicore-green/replicante.yaml";
const INVENTORY = "http://inventory.corp:9876/discover";
const CMDB = "https://cmdb.corp/api/Replicante?Env=Prod";

describe("http backends as Replicante compares them", () => {
  it("two entries with one url and different headers are two backends: ids url and url#2", async () => {
    const loaded = loadRepo(await fixture("core-0.6"));
    if (!loaded.ok) throw new Error("core-0.6 does not load");
    const blue = loaded.model.clusters.get("replicore-blue");
    expect(blue?.backends.map((b) => [b.id, b.key])).toStrictEqual([
      [INVENTORY, `${INVENTORY} {"tls":{"ca_cert":"/tls/ca.crt"}}`],
      [`${INVENTORY}#2`, `${INVENTORY} {"headers":{"X-Team":"data"},"tls":{"ca_cert":"/tls/ca.crt"}}`],
      [CMDB, CMDB],
    ]);
  });

  it("url normal form lower-cases scheme and host and keeps path and query case", () => {
    expect(normalizeUrl("HTTPS://CMDB.Corp/api/Replicante/?Env=Prod")).toBe(
      "https://cmdb.corp/api/Replicante?Env=Prod",
    );
    expect(httpIdentity({ url: "http://a/x", headers: {}, tls: { ca_cert: null } })).toBe("http://a/x");
    // Asked again (the normal forms seen last are kept), and for the same URL written otherwise.
    for (const url of ["HTTPS://CMDB.Corp/api/Replicante/?Env=Prod", " https://cmdb.CORP/api/Replicante?Env=Prod "])
      expect(normalizeUrl(url)).toBe("https://cmdb.corp/api/Replicante?Env=Prod");
    expect(normalizeUrl("not a url/")).toBe("not a url");
  });

  it("releasing the first moves only it; the second's alias of its anchor is written out in both files", async () => {
    const tree = await fixture("core-0.6");
    const plan = planOk(
      tree,
      request("replicore-blue", "replicore-green", "0.6.1", `first: ${INVENTORY}\nsecond: ${INVENTORY}#2\nrest: *`),
    );
    const released = treeAfter(tree, plan, "release-first");
    expect(released.get(BLUE)).toContain(`discovery:
  backends:
    http:
      - url: 'http://inventory.corp:9876/discover'
        method: GET
        headers:
          X-Team: data
        tls: {"ca_cert":"/tls/ca.crt","client_cert":null}
      - url: '${CMDB}'
`);
    const adopted = treeAfter(tree, plan, "adopt-second");
    expect(adopted.get(GREEN)).toContain(`discovery:
  backends:
    http:
      - url: 'http://inventory.corp:9876/discover'
        method: GET
        tls: &corp-tls
          ca_cert: /tls/ca.crt
          client_cert: ~
      - url: 'http://inventory.corp:9876/discover'
        method: GET
        headers:
          X-Team: data
        tls: {"ca_cert":"/tls/ca.crt","client_cert":null}
  interval: 30
`);
    expect(stepNamed(plan, "release-second").changes.map((c) => c.path)).toStrictEqual([
      BLUE,
      "k8s/replicore-blue/statefulset.yaml",
    ]);
  });
});

describe("restart key", () => {
  it("an annotation whose empty value carries a comment is set, the comment kept", async () => {
    const tree = await fixture("core-0.6");
    const plan = planOk(tree, request("replicore-blue", "replicore-green", "0.6.1"));
    const first = plan.steps[1]?.id ?? "";
    expect(treeAfter(tree, plan, first).get("k8s/replicore-blue/statefulset.yaml")).toContain(
      `      annotations:\n        handover.replicante.io/restart: 42-${first} # bumped by Handover\n`,
    );
  });

  it("a path whose keys above the annotation map are missing is a config error naming the first missing key", async () => {
    const tree = await fixture("core-0.6");
    const config = ".github/handover.yml";
    tree.set(config, edit(tree.get(config) ?? "", [["key: [spec, template,", "key: [spec, tmpl,"]]));
    const result = planMigration(tree, request("replicore-blue", "replicore-green", "0.6.1"), 42);
    expect(result).toStrictEqual({
      ok: false,
      kind: "input",
      problems: [
        `${config}: clusters.replicore-blue.restart.key: k8s/replicore-blue/statefulset.yaml has no spec.tmpl (document 0): Handover creates at most the annotation or label map and its key, never the object above them; fix the key or the file`,
      ],
    });
  });
});
