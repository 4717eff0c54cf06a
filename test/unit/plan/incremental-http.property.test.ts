// The quick planner against the general path on random http-era repos (Core 0.5 to 0.5: each backend an endpoint
// map in the Core config's discovery.backends.http list; or to 0.7, each endpoint written as a DiscoverySettings
// object): the same plan, byte for byte, or the same refusal.
import { fc, test } from "@fast-check/vitest";
import { describe } from "vitest";
import { nameFor } from "../../../src/plan/crossings.js";
import type { MigrationRequest } from "../../../src/spec/issue.js";
import {
  expectSamePlans,
  groupsArb,
  namesArb,
  migrationOf,
  LIST_SHAPE,
  type ListShape,
  restartLines,
  SOURCE,
  STATEFULSET,
  TARGET,
} from "./quick-vs-general.js";

const STATIC_URL = "http://static.corp/discovery";

interface Endpoint {
  name: string;
  /** Its own host, or one two endpoints share (then they have one identity unless their headers differ). */
  host: string;
  /** A block map (url first or last), a block map with a comment inside, or a flow map on one line. */
  shape: "url-first" | "url-last" | "comment" | "flow";
  quote: "" | "'" | '"';
  headers: "none" | "block" | "token";
  above: "blank" | "comment" | null;
  /** Its url lies under the source's static discovery site (the document there names its datastore). */
  served: boolean;
}

interface Repo extends ListShape {
  endpoints: Endpoint[];
  statics: boolean;
  /** To Core 0.7: each endpoint adopted as a DiscoverySettings object of the target's (a target of its own refuses). */
  cross: boolean;
  groups: number[] | null;
}

function url(e: Endpoint, repo: Repo): string {
  return repo.statics && e.served ? `${STATIC_URL}/${e.name}.json` : `https://${e.host}.corp:8443/replicante`;
}

/** The endpoint's lines, the first after the dash, the others indented under it. */
function endpointLines(e: Endpoint, repo: Repo): string[] {
  const value = `${e.quote}${url(e, repo)}${e.quote}`;
  const headers =
    e.headers === "block"
      ? ["headers:", "  Authorization: 'Bearer abc'"]
      : e.headers === "token"
        ? ["headers:", `  X-Token: ${e.name}`]
        : [];
  if (e.shape === "flow")
    return [`{url: ${value}, method: GET${e.headers === "none" ? "" : `, headers: {X-Token: ${e.name}}`}}`];
  if (e.shape === "url-last") return ["method: GET", ...headers, `url: ${value}`];
  return [`url: ${value}`, ...(e.shape === "comment" ? ["# the inventory's endpoint"] : []), "method: GET", ...headers];
}

function listLines(endpoints: Endpoint[], repo: Repo): string[] {
  const dash = repo.indent === "nested" ? "      -" : "    -";
  const under = " ".repeat(dash.length + repo.gap);
  return endpoints.flatMap((e) => {
    const [first = "", ...rest] = endpointLines(e, repo);
    return [
      ...(e.above === "blank" ? [""] : e.above === "comment" ? [`${dash.slice(0, -1)}# ${e.name}`] : []),
      `${dash}${" ".repeat(repo.gap)}${first}`,
      ...rest.map((line) => `${under}${line}`),
    ];
  });
}

function coreConfig(repo: Repo, list: string[], zk: string, listLast = repo.listLast): string {
  const discovery = ["discovery:", "  backends:", ...list, ...(repo.spacesAfter ? ["   "] : [])];
  const head = ["# Replicante Core", "coordinator:", "  options:", `    ensemble: '${zk}:2181/replicante'`];
  const tail = ["storage:", "  primary:", "    options:", `      uri: 'mongodb://${zk}:27017/'`];
  const lines =
    listLast === "no" ? [...head, ...discovery, "  interval: 60", ...tail] : [...head, ...tail, ...discovery];
  const text = lines.join(repo.crlf ? "\r\n" : "\n");
  return listLast === "no-newline" ? text : `${text}${repo.crlf ? "\r\n" : "\n"}`;
}

function clusterSpec(name: string, repo: Repo, version: string): string[] {
  return [
    `  ${name}:`,
    `    config: clusters/${name}/replicante.yaml`,
    `    version: ${version}`,
    ...restartLines(name, repo.restart),
    ...(name === SOURCE && repo.statics
      ? [`    static_discovery: { url: '${STATIC_URL}', dir: clusters/${name}/static }`]
      : []),
    `    health: [{ status: 'deploy/${name}' }]`,
  ];
}

function repoTree(repo: Repo): Map<string, string> {
  const tree = new Map<string, string>();
  tree.set(
    `clusters/${SOURCE}/replicante.yaml`,
    coreConfig(repo, ["    http:", ...listLines(repo.endpoints, repo)], "zk.a"),
  );
  for (const e of repo.endpoints)
    if (repo.statics && e.served)
      tree.set(
        `clusters/${SOURCE}/static/${e.name}.json`,
        JSON.stringify({ cursor: null, clusters: [{ cluster_id: `ds-${e.host}`, nodes: [] }] }),
      );
  const statefulset = STATEFULSET[repo.restart];
  const clusters = clusterSpec(SOURCE, repo, "0.5.0");
  if (statefulset) tree.set(`clusters/${SOURCE}/statefulset.yaml`, statefulset);
  if (repo.cross && repo.target !== "none") {
    // A Core 0.7 target of its own: its folder empty ("empty", "null"), with an object of its own ("own"), or with
    // another object where the first endpoint's would be written ("clash", which Handover never overwrites).
    const folder = `clusters/${TARGET}/apply`;
    const object = (name: string, host: string) =>
      `apiVersion: replicante.io/v0\nkind: DiscoverySettings\nmetadata:\n  name: ${name}\nspec:\n  url: 'https://${host}.corp/x'\n`;
    if (repo.target === "own") tree.set(`${folder}/own.yaml`, object("own", "own"));
    if (repo.target === "clash") tree.set(`${folder}/${nameFor(ids(repo)[0] ?? "")}.yaml`, object("theirs", "theirs"));
    tree.set(`clusters/${TARGET}/replicante.yaml`, "discovery:\n  interval: 30\n");
    clusters.push(
      `  ${TARGET}:`,
      `    config: clusters/${TARGET}/replicante.yaml`,
      "    version: 0.7.2",
      "    discovery: settings",
      `    settings_dir: ${folder}`,
      `    health: [{ status: 'deploy/${TARGET}' }]`,
    );
  } else if (repo.target !== "none") {
    const first = repo.endpoints[0];
    const own: Endpoint = {
      name: "own",
      host: "own",
      shape: "url-first",
      quote: "'",
      headers: "none",
      above: null,
      served: false,
    };
    const listed = repo.target === "own" ? [own] : repo.target === "clash" && first ? [{ ...first, above: null }] : [];
    const list =
      repo.target === "empty"
        ? ["    http: []"]
        : repo.target === "null"
          ? ["    http:"]
          : ["    http:", ...listLines(listed, repo)];
    tree.set(`clusters/${TARGET}/replicante.yaml`, coreConfig(repo, list, "zk.b", "no"));
    if (statefulset) tree.set(`clusters/${TARGET}/statefulset.yaml`, statefulset);
    clusters.push(...clusterSpec(TARGET, repo, "0.5.0"));
  }
  const defaults = repo.restart === "off" ? ["defaults:", "  restart: false"] : [];
  tree.set(".github/handover.yml", ["version: 1", "clusters:", ...clusters, ...defaults, ""].join("\n"));
  return tree;
}

/** Each endpoint's backend id, as the issue form's group lines name it: its url, `url#2` for its second, and so on. */
function ids(repo: Repo): string[] {
  const seen = new Map<string, number>();
  return repo.endpoints.map((e) => {
    const u = url(e, repo);
    const n = (seen.get(u) ?? 0) + 1;
    seen.set(u, n);
    return n === 1 ? u : `${u}#${n}`;
  });
}

function migration(repo: Repo): MigrationRequest {
  return migrationOf(repo.cross ? "0.7.2" : "0.5.0", ids(repo), repo.groups);
}

const endpointArb = (name: string): fc.Arbitrary<Endpoint> =>
  fc.record({
    name: fc.constant(name),
    host: fc.constantFrom(name, name, name, "inventory", "billing"),
    shape: fc.constantFrom<Endpoint["shape"]>("url-first", "url-first", "url-last", "comment", "flow"),
    quote: fc.constantFrom<Endpoint["quote"]>("", "'", '"'),
    headers: fc.constantFrom<Endpoint["headers"]>("none", "none", "block", "token"),
    above: fc.constantFrom<Endpoint["above"]>(null, null, "blank", "comment"),
    served: fc.boolean(),
  });

const repoArb: fc.Arbitrary<Repo> = namesArb().chain((names) =>
  fc.record({
    endpoints: fc.tuple(...names.map(endpointArb)),
    ...LIST_SHAPE,
    statics: fc.boolean(),
    cross: fc.boolean(),
    groups: groupsArb(names.length),
  }),
);

describe("the quick planner, http era", () => {
  test.prop([repoArb], { numRuns: 150 })("plans exactly what the general path plans, or refuses the same way", (repo) =>
    expectSamePlans(repoTree(repo), migration(repo)),
  );
});
