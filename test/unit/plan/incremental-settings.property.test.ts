// The quick planner against the general path on random settings-era repos (Core 0.7 to 0.7: each backend a
// DiscoverySettings file of the cluster's folder): the same plan, byte for byte, or the same refusal.
import { fc, test } from "@fast-check/vitest";
import { describe } from "vitest";
import type { MigrationRequest } from "../../../src/spec/issue.js";
import { expectSamePlans, groupsArb, namesArb, migrationOf, SOURCE, TARGET } from "./quick-vs-general.js";
const STATIC_URL = "http://static.corp/discovery";

interface SettingsObject {
  name: string;
  /** Its own host, or one two objects share: then they share a discovery URL (served statically, a datastore). */
  host: string;
  enabled: "true" | "false" | "absent";
  /** backend first (where disable writes `enabled` after it), url first, a comment in spec, or a flow spec. */
  style: "backend-first" | "url-first" | "comment" | "flow";
  quote: "" | "'" | '"';
  /** A second document in the file: none, another kind, or an apply action on a datastore. */
  extra: "none" | "doc" | "action";
  /** Its url lies under the source's static discovery site (the document there names its datastore). */
  served: boolean;
}

interface Repo {
  objects: SettingsObject[];
  crlf: boolean;
  /** none: prepare scaffolds it; own: an object of its own; clash or same: a file where the first copy goes. */
  target: "none" | "own" | "clash" | "same";
  kustomize: "none" | "plain" | "partial";
  statics: boolean;
  /** A NodeAction file in the source's folder. */
  action: boolean;
  /** A third cluster whose folder is the target's, or holds it: a copy adopted there is read by both. */
  third: "none" | "same" | "parent";
  groups: number[] | null;
}

function url(o: SettingsObject, repo: Repo): string {
  return repo.statics && o.served ? `${STATIC_URL}/${o.name}.json` : `http://${o.host}.corp:9876/discover`;
}

function objectText(o: SettingsObject, repo: Repo): string {
  const value = `${o.quote}${url(o, repo)}${o.quote}`;
  const enabled = o.enabled === "absent" ? [] : [`  enabled: ${o.enabled}`];
  const spec =
    o.style === "flow"
      ? [`spec: {backend: http, url: ${value}${o.enabled === "absent" ? "" : `, enabled: ${o.enabled}`}}`]
      : [
          "spec:",
          ...(o.style === "url-first" ? [`  url: ${value}`, "  backend: http"] : ["  backend: http"]),
          ...(o.style === "comment" ? ["  # moved by Handover"] : []),
          ...enabled,
          ...(o.style === "url-first" ? [] : [`  url: ${value}`]),
        ];
  const extra =
    o.extra === "doc"
      ? ["---", "apiVersion: v1", "kind: ConfigMap", "metadata:", `  name: ${o.name}-notes`]
      : o.extra === "action"
        ? ["---", "apiVersion: replicante.io/v0", "kind: NodeAction", "metadata:", `  cluster: ds-${o.host}`]
        : [];
  const lines = [
    "apiVersion: replicante.io/v0",
    "kind: DiscoverySettings",
    "metadata:",
    "  namespace: default",
    `  name: ${o.name}`,
    ...spec,
    ...extra,
    "",
  ];
  return lines.join(repo.crlf ? "\r\n" : "\n");
}

function clusterSpec(name: string, version: string, repo: Repo): string[] {
  return [
    `  ${name}:`,
    `    config: clusters/${name}/replicante.yaml`,
    `    version: ${version}`,
    "    discovery: settings",
    `    settings_dir: clusters/${name}/apply`,
    ...(name === SOURCE && repo.statics
      ? [`    static_discovery: { url: '${STATIC_URL}', dir: clusters/${name}/static }`]
      : []),
    `    health: [{ deployment: ${name} }]`,
  ];
}

function repoTree(repo: Repo): Map<string, string> {
  const tree = new Map<string, string>();
  tree.set(`clusters/${SOURCE}/replicante.yaml`, "discovery:\n  interval: 15\n");
  for (const o of repo.objects) {
    tree.set(`clusters/${SOURCE}/apply/${o.name}.yaml`, objectText(o, repo));
    if (repo.statics && o.served)
      tree.set(
        `clusters/${SOURCE}/static/${o.name}.json`,
        JSON.stringify({ cursor: null, clusters: [{ cluster_id: `ds-${o.host}`, nodes: [] }] }),
      );
  }
  if (repo.action)
    tree.set(
      `clusters/${SOURCE}/apply/restart-billing.yaml`,
      "apiVersion: replicante.io/v0\nkind: NodeAction\nmetadata:\n  cluster: ds-billing\n",
    );
  const clusters = clusterSpec(SOURCE, "0.7.1", repo);
  if (repo.target !== "none") {
    clusters.push(...clusterSpec(TARGET, "0.7.2", repo));
    tree.set(`clusters/${TARGET}/replicante.yaml`, "discovery:\n  interval: 30\n");
    const own: SettingsObject = {
      name: "own",
      host: "search",
      enabled: "true",
      style: "backend-first",
      quote: "",
      extra: "none",
      served: false,
    };
    const first = repo.objects[0];
    if (repo.target === "own")
      tree.set(`clusters/${TARGET}/apply/own.yaml`, objectText({ ...own, host: "inventory", name: "own-x" }, repo));
    if (repo.target === "clash" && first)
      tree.set(`clusters/${TARGET}/apply/${first.name}.yaml`, objectText({ ...own, name: first.name }, repo));
    if (repo.target === "same" && first)
      tree.set(`clusters/${TARGET}/apply/${first.name}.yaml`, objectText(first, repo));
  }
  if (repo.kustomize !== "none") {
    const listed = repo.objects.filter((_, i) => repo.kustomize === "plain" || i % 2 === 0);
    tree.set(
      `clusters/${SOURCE}/kustomization.yaml`,
      [
        "configMapGenerator:",
        `  - name: ${SOURCE}-settings`,
        "    files:",
        "      - replicante.yaml",
        ...listed.map((o) => `      - apply/${o.name}.yaml`),
        "",
      ].join("\n"),
    );
    tree.set("clusters/kustomization.yaml", `resources:\n  - ./${SOURCE}\n`);
  }
  if (repo.third !== "none") {
    const folder = repo.third === "same" ? `clusters/${TARGET}/apply` : `clusters/${TARGET}`;
    clusters.push(
      "  replicore-c:",
      "    config: clusters/replicore-c/replicante.yaml",
      "    version: 0.7.2",
      "    discovery: settings",
      `    settings_dir: ${folder}`,
      "    health: [{ deployment: replicore-c }]",
    );
    tree.set("clusters/replicore-c/replicante.yaml", "discovery:\n  interval: 45\n");
  }
  tree.set(".github/handover.yml", ["version: 1", "clusters:", ...clusters, ""].join("\n"));
  return tree;
}

function migration(repo: Repo): MigrationRequest {
  return migrationOf(
    "0.7.2",
    repo.objects.map((o) => o.name),
    repo.groups,
  );
}

const objectArb = (name: string): fc.Arbitrary<SettingsObject> =>
  fc.record({
    name: fc.constant(name),
    host: fc.constantFrom(...Array<string>(6).fill(name), "inventory", "billing"),
    enabled: fc.constantFrom<SettingsObject["enabled"]>("true", "true", "false", "absent"),
    style: fc.constantFrom<SettingsObject["style"]>(
      ...(["backend-first", "url-first", "comment"] as const).flatMap((s) => [s, s, s]),
      "flow",
    ),
    quote: fc.constantFrom<SettingsObject["quote"]>("", "'", '"'),
    extra: fc.constantFrom<SettingsObject["extra"]>(...Array<"none">(12).fill("none"), "doc", "doc", "action"),
    served: fc.constantFrom(false, false, false, true),
  });

const repoArb: fc.Arbitrary<Repo> = namesArb().chain((names) =>
  fc.record({
    objects: fc.tuple(...names.map(objectArb)),
    crlf: fc.boolean(),
    target: fc.constantFrom<Repo["target"]>("none", "none", "own", "clash", "same"),
    kustomize: fc.constantFrom<Repo["kustomize"]>("none", "plain", "partial"),
    statics: fc.boolean(),
    action: fc.boolean(),
    third: fc.constantFrom<Repo["third"]>("none", "none", "none", "same", "parent"),
    groups: groupsArb(names.length),
  }),
);

describe("the quick planner, settings era", () => {
  test.prop([repoArb], { numRuns: 150 })("plans exactly what the general path plans, or refuses the same way", (repo) =>
    expectSamePlans(repoTree(repo), migration(repo)),
  );
});
