// One small tree per invariant rule (design section 4): the exact violations, and near misses that must pass.
import { describe, expect, it } from "vitest";
import { checkingTree, checkTree } from "../../../src/invariant/index.js";
import type { Violation } from "../../../src/spec/violation.js";

const HANDOVER = ".github/handover.yml";
const ALPHA = "clusters/alpha/replicante.yaml";
const BETA = "clusters/beta/replicante.yaml";

/** A message naming every part (clusters, subject, field), in any order. */
function mentions(...parts: string[]): string {
  const escaped = parts.map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return expect.stringMatching(new RegExp(`^${escaped.map((p) => `(?=[\\s\\S]*${p})`).join("")}`)) as unknown as string;
}

function tree(files: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(files));
}

/** handover.yml listing alpha and beta with their config in clusters/<name>/, plus extra lines per cluster. */
function handover(alpha = "", beta = ""): string {
  return `version: 1
clusters:
  alpha:
    config: ${ALPHA}
${alpha}  beta:
    config: ${BETA}
${beta}`;
}

/** A files-era Core config with its own dependencies and the given backend list (flow). */
function filesCore(name: string, entries: string[], extra = ""): string {
  return `coordinator:
  options:
    ensemble: 'zk.${name}:2181/replicante'
discovery:
  backends:
    files: [${entries.map((e) => `'${e}'`).join(", ")}]
${extra}`;
}

function httpCore(name: string, items: string[]): string {
  return `coordinator:
  options:
    ensemble: 'zk.${name}:2181/replicante'
discovery:
  backends:
    http:
${items.map((i) => `      - ${i}\n`).join("")}`;
}

const settingsCore = (name: string) =>
  `coordinator:\n  options:\n    ensemble: 'zk.${name}:2181/replicante'\ndiscovery:\n  interval: 15\n`;

function discoverySettings(name: string, url: string, enabled?: boolean): string {
  return `apiVersion: replicante.io/v0
kind: DiscoverySettings
metadata:
  namespace: default
  name: ${name}
spec:
  backend: http
${enabled === undefined ? "" : `  enabled: ${enabled}\n`}  interval: 10
  url: '${url}'
`;
}

function discoveryFile(id: string, nodes: string[], key = "cluster_id"): string {
  return `- ${key}: ${id}\n  nodes:\n${nodes.map((n) => `    - '${n}'\n`).join("")}`;
}

describe("a clean repo", () => {
  it("two clusters with their own backends and dependencies have no violation", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", ["conf.d/mongo.yaml"]),
          [BETA]: filesCore("beta", ["conf.d/kafka.yaml"]),
          "clusters/alpha/conf.d/mongo.yaml": discoveryFile("mongo-rs", ["http://mongo-1:37017"]),
          "clusters/beta/conf.d/kafka.yaml": discoveryFile("kafka-main", ["http://kafka-1:10092"]),
        }),
      ),
    ).toStrictEqual([]);
  });
});

describe("invalid-config", () => {
  it("an unknown key in handover.yml (a typo must not switch a setting off)", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: `${handover()}defaults:\n  restrat: false\n`,
          [ALPHA]: filesCore("alpha", []),
          [BETA]: filesCore("beta", []),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "invalid-config",
        message: mentions(HANDOVER, "defaults", '"restrat"'),
        clusters: [],
        subject: HANDOVER,
        files: [HANDOVER],
      },
    ]);
  });

  it("a handover.yml value that breaks the schema", () => {
    expect(checkTree(tree({ [HANDOVER]: "version: 2\nclusters: {}\n" }))).toStrictEqual([
      {
        rule: "invalid-config",
        message: mentions(HANDOVER, "version", "2"),
        clusters: [],
        subject: HANDOVER,
        files: [HANDOVER],
      },
    ]);
  });

  it("a Core config that does not exist", () => {
    expect(checkTree(tree({ [HANDOVER]: handover(), [ALPHA]: filesCore("alpha", []) }))).toStrictEqual([
      { rule: "invalid-config", message: mentions("beta", BETA), clusters: ["beta"], subject: BETA, files: [HANDOVER] },
    ]);
  });

  it("a Core config that is not YAML", () => {
    expect(
      checkTree(tree({ [HANDOVER]: handover(), [ALPHA]: filesCore("alpha", []), [BETA]: "discovery: [unclosed\n" })),
    ).toStrictEqual([
      { rule: "invalid-config", message: mentions("beta", BETA), clusters: ["beta"], subject: BETA, files: [BETA] },
    ]);
  });

  it("discovery.backends.files that is not a list", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", []),
          [BETA]: "discovery:\n  backends:\n    files: conf.d/mongo.yaml\n",
        }),
      ),
    ).toStrictEqual([
      {
        rule: "invalid-config",
        message: mentions("beta", BETA, "discovery.backends.files"),
        clusters: ["beta"],
        subject: "discovery.backends.files",
        files: [BETA],
      },
    ]);
  });

  it("an http backend without url", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", []),
          [BETA]: httpCore("beta", ["{method: GET}"]),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "invalid-config",
        message: mentions("beta", "discovery.backends.http[0].url"),
        clusters: ["beta"],
        subject: "http[0]",
        files: [BETA],
      },
    ]);
  });

  it("a Core 0.7 config (no backends in it) without settings_dir", () => {
    expect(
      checkTree(tree({ [HANDOVER]: handover(), [ALPHA]: filesCore("alpha", []), [BETA]: settingsCore("beta") })),
    ).toStrictEqual([
      {
        rule: "invalid-config",
        message: mentions("beta", "settings_dir"),
        clusters: ["beta"],
        subject: "settings_dir",
        files: [HANDOVER],
      },
    ]);
  });
});

describe("shared-backend", () => {
  it("one discovery file referenced by two clusters (relative in one, through a mount in the other)", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover("", "    mounts: { /opt/replicante: clusters/alpha }\n"),
          [ALPHA]: filesCore("alpha", ["conf.d/mongo.yaml"]),
          [BETA]: filesCore("beta", ["/opt/replicante/conf.d/mongo.yaml"]),
          "clusters/alpha/conf.d/mongo.yaml": discoveryFile("mongo-rs", ["http://mongo-1:37017"]),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "shared-backend",
        message: mentions("alpha", "beta", "clusters/alpha/conf.d/mongo.yaml"),
        clusters: ["alpha", "beta"],
        subject: "clusters/alpha/conf.d/mongo.yaml",
        files: ["clusters/alpha/conf.d/mongo.yaml"],
      },
    ]);
  });
});

describe("shared-datastore", () => {
  it("one cluster_id in two files (the pre-0.3 `cluster` key counts too)", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", ["conf.d/mongo.yaml"]),
          [BETA]: filesCore("beta", ["conf.d/legacy.yaml"]),
          "clusters/alpha/conf.d/mongo.yaml": discoveryFile("mongo-rs", ["http://mongo-1:37017"]),
          "clusters/beta/conf.d/legacy.yaml": discoveryFile("mongo-rs", ["http://mongo-9:37017"], "cluster"),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "shared-datastore",
        message: mentions("alpha", "beta", "mongo-rs"),
        clusters: ["alpha", "beta"],
        subject: "mongo-rs",
        files: ["clusters/alpha/conf.d/mongo.yaml", "clusters/beta/conf.d/legacy.yaml"],
      },
    ]);
  });
});

describe("shared-node", () => {
  it("one agent URL under two ids, written with other case and a trailing slash", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", ["conf.d/a.yaml"]),
          [BETA]: filesCore("beta", ["conf.d/b.yaml"]),
          "clusters/alpha/conf.d/a.yaml": discoveryFile("mongo-a", ["http://Mongo-1.data:37017/"]),
          "clusters/beta/conf.d/b.yaml": discoveryFile("mongo-b", ["http://mongo-1.data:37017"]),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "shared-node",
        message: mentions("alpha", "beta", "http://mongo-1.data:37017"),
        clusters: ["alpha", "beta"],
        subject: "http://mongo-1.data:37017",
        files: ["clusters/alpha/conf.d/a.yaml", "clusters/beta/conf.d/b.yaml"],
      },
    ]);
  });
});

describe("shared-url", () => {
  it("http era: one discovery URL in two clusters is a shared backend and a shared URL", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: httpCore("alpha", ["url: 'https://inv.corp/discover/'"]),
          [BETA]: httpCore("beta", ["{url: 'HTTPS://INV.corp/discover', method: GET}"]),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "shared-backend",
        message: mentions("alpha", "beta", "https://inv.corp/discover"),
        clusters: ["alpha", "beta"],
        subject: "https://inv.corp/discover",
        files: [ALPHA, BETA],
      },
      {
        rule: "shared-url",
        message: mentions("alpha", "beta", "https://inv.corp/discover"),
        clusters: ["alpha", "beta"],
        subject: "https://inv.corp/discover",
        files: [ALPHA, BETA],
      },
    ]);
  });

  const settingsRepo = (betaEnabled: boolean | undefined) =>
    tree({
      [HANDOVER]: handover("    settings_dir: clusters/alpha/apply\n", "    settings_dir: clusters/beta/apply\n"),
      [ALPHA]: settingsCore("alpha"),
      [BETA]: settingsCore("beta"),
      "clusters/alpha/apply/inventory.yaml": discoverySettings("inventory", "http://inv.corp:9876/discover", true),
      "clusters/beta/apply/inv.yaml": discoverySettings(
        "inventory-copy",
        "http://inv.corp:9876/discover/",
        betaEnabled,
      ),
    });

  it("settings era: an enabled DiscoverySettings URL (enabled by default) in two clusters", () => {
    expect(checkTree(settingsRepo(undefined))).toStrictEqual([
      {
        rule: "shared-url",
        message: mentions("alpha", "beta", "http://inv.corp:9876/discover"),
        clusters: ["alpha", "beta"],
        subject: "http://inv.corp:9876/discover",
        files: ["clusters/alpha/apply/inventory.yaml", "clusters/beta/apply/inv.yaml"],
      },
    ]);
  });

  it("settings era: a disabled DiscoverySettings object reaches nothing", () => {
    expect(checkTree(settingsRepo(false))).toStrictEqual([]);
  });
});

describe("shared-dependency", () => {
  it("the same Zookeeper ensemble, hosts in another order and case", () => {
    const core = (ensemble: string) =>
      `coordinator:\n  options:\n    ensemble: '${ensemble}'\ndiscovery:\n  backends:\n    files: []\n`;
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: core("zk1:2181,zk2:2181/replicante"),
          [BETA]: core("ZK2:2181, zk1:2181/replicante"),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "shared-dependency",
        message: mentions("alpha", "beta", "coordinator.options.ensemble", "zk1:2181,zk2:2181/replicante"),
        clusters: ["alpha", "beta"],
        subject: "zk1:2181,zk2:2181/replicante",
        files: [ALPHA, BETA],
      },
    ]);
  });

  const storage = (db: string) =>
    `storage:\n  backend: mongodb\n  options:\n    db: ${db}\n    uri: 'mongodb://store.corp:27017/'\n`;

  it("the same storage uri and db", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", [], storage("replicore")),
          [BETA]: filesCore("beta", [], storage("replicore")),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "shared-dependency",
        message: mentions("alpha", "beta", "storage.options.uri", "mongodb://store.corp:27017/"),
        clusters: ["alpha", "beta"],
        subject: "store.corp:27017|replicore",
        files: [ALPHA, BETA],
      },
    ]);
  });

  it("MongoDB URIs are host sets: order, credentials, default port, trailing slash and options do not count", () => {
    const uri = (text: string) => `storage:\n  primary:\n    options:\n      db: replicore\n      uri: '${text}'\n`;
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", [], uri("mongodb://m1.corp:27017,m2.corp/?replicaSet=rs0")),
          [BETA]: filesCore("beta", [], uri("mongodb://core:secret@M2.corp:27017,m1.corp:27017")),
        }),
      ).map((v) => [v.rule, v.subject]),
    ).toStrictEqual([["shared-dependency", "m1.corp:27017,m2.corp:27017|replicore"]]);
  });

  it("bare host names on two declared networks (compose projects, namespaces) are two services", () => {
    const deps = `storage:\n  backend: mongodb\n  options:\n    uri: 'mongodb://mongo:27017/'\ntasks:\n  options:\n    brokers: 'kafka:9092'\n`;
    const core = (name: string) =>
      `coordinator:\n  options:\n    ensemble: 'zookeeper:2181/replicante'\ndiscovery:\n  backends:\n    files: []\n${deps}# ${name}\n`;
    const files = { [ALPHA]: core("alpha"), [BETA]: core("beta") };
    expect(
      checkTree(tree({ [HANDOVER]: handover("    network: play-a\n", "    network: play-b\n"), ...files })),
    ).toStrictEqual([]);
    expect(checkTree(tree({ [HANDOVER]: handover(), ...files })).map((v) => [v.rule, v.subject])).toStrictEqual([
      ["shared-dependency", "kafka:9092|task"],
      ["shared-dependency", "mongo:27017|replicore"],
      ["shared-dependency", "zookeeper:2181/replicante"],
    ]);
    // A dotted name or an address is the same host on every network.
    const dotted = tree({
      [HANDOVER]: handover("    network: play-a\n", "    network: play-b\n"),
      [ALPHA]: core("alpha").replace("'mongodb://mongo:27017/'", "'mongodb://mongo.corp:27017/'"),
      [BETA]: core("beta").replace("'mongodb://mongo:27017/'", "'mongodb://mongo.corp:27017/'"),
    });
    expect(checkTree(dotted).map((v) => [v.rule, v.subject])).toStrictEqual([
      ["shared-dependency", "mongo.corp:27017|replicore"],
    ]);
  });

  it("the same storage uri with another db is not shared", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", [], storage("replicore")),
          [BETA]: filesCore("beta", [], storage("replicore_b")),
        }),
      ),
    ).toStrictEqual([]);
  });

  const stream = (brokers: string, prefix?: string) =>
    `events:\n  stream:\n    backend: kafka\n    options:\n      brokers: '${brokers}'\n${prefix === undefined ? "" : `      topic_prefix: '${prefix}'\n`}`;

  it("the same Kafka brokers with the same topic prefix (explicit in one, the default in the other)", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", [], stream("kafka1:9092,kafka2:9092", "stream")),
          [BETA]: filesCore("beta", [], stream("kafka2:9092,kafka1:9092")),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "shared-dependency",
        message: mentions("alpha", "beta", "events.stream.options.brokers", "kafka1:9092,kafka2:9092"),
        clusters: ["alpha", "beta"],
        subject: "kafka1:9092,kafka2:9092|stream",
        files: [ALPHA, BETA],
      },
    ]);
  });

  it("the same Kafka brokers with another prefix are not shared", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", [], stream("kafka1:9092,kafka2:9092", "alpha")),
          [BETA]: filesCore("beta", [], stream("kafka1:9092,kafka2:9092", "beta")),
        }),
      ),
    ).toStrictEqual([]);
  });

  it("two scaffolds with the same REPLACE-ME endpoint share nothing real: only unfinished-scaffold", () => {
    const scaffold = (name: string) =>
      `coordinator:\n  options:\n    ensemble: 'REPLACE-ME:2181/replicante'\ndiscovery:\n  backends:\n    files: []\n# ${name}\n`;
    expect(
      checkTree(tree({ [HANDOVER]: handover(), [ALPHA]: scaffold("alpha"), [BETA]: scaffold("beta") })),
    ).toStrictEqual([
      {
        rule: "unfinished-scaffold",
        message: mentions("alpha", "coordinator.options.ensemble", "REPLACE-ME"),
        clusters: ["alpha"],
        subject: "coordinator.options.ensemble",
        files: [ALPHA],
      },
      {
        rule: "unfinished-scaffold",
        message: mentions("beta", "coordinator.options.ensemble", "REPLACE-ME"),
        clusters: ["beta"],
        subject: "coordinator.options.ensemble",
        files: [BETA],
      },
    ]);
  });
});

describe("missing-discovery-file", () => {
  it("a relative entry whose file is not in the repo", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", ["conf.d/gone.yaml"]),
          [BETA]: filesCore("beta", []),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "missing-discovery-file",
        message: mentions("alpha", "conf.d/gone.yaml", "clusters/alpha/conf.d/gone.yaml"),
        clusters: ["alpha"],
        subject: "conf.d/gone.yaml",
        files: [ALPHA, "clusters/alpha/conf.d/gone.yaml"],
      },
    ]);
  });

  it("an absolute entry under no mount, and one that leaves the repo", () => {
    expect(
      checkTree(
        tree({
          [HANDOVER]: handover(),
          [ALPHA]: filesCore("alpha", ["/etc/replicante/mongo.yaml", "../../../outside.yaml"]),
          [BETA]: filesCore("beta", []),
        }),
      ),
    ).toStrictEqual([
      {
        rule: "missing-discovery-file",
        message: mentions("alpha", "../../../outside.yaml"),
        clusters: ["alpha"],
        subject: "../../../outside.yaml",
        files: [ALPHA],
      },
      {
        rule: "missing-discovery-file",
        message: mentions("alpha", "/etc/replicante/mongo.yaml", "mounts"),
        clusters: ["alpha"],
        subject: "/etc/replicante/mongo.yaml",
        files: [ALPHA],
      },
    ]);
  });
});

describe("malformed-discovery-file", () => {
  const withFile = (text: string) =>
    tree({
      [HANDOVER]: handover(),
      [ALPHA]: filesCore("alpha", ["conf.d/bad.yaml"]),
      [BETA]: filesCore("beta", []),
      "clusters/alpha/conf.d/bad.yaml": text,
    });
  const bad = (...parts: string[]): Violation[] => [
    {
      rule: "malformed-discovery-file",
      message: mentions("alpha", "clusters/alpha/conf.d/bad.yaml", ...parts),
      clusters: ["alpha"],
      subject: "conf.d/bad.yaml",
      files: ["clusters/alpha/conf.d/bad.yaml"],
    },
  ];

  it("a map instead of a list of clusters", () => {
    expect(checkTree(withFile("cluster_id: mongo-rs\nnodes: []\n"))).toStrictEqual(bad());
  });

  it("an item without cluster_id (or cluster)", () => {
    expect(checkTree(withFile("- display_name: Orders\n  nodes: ['http://mongo-1:37017']\n"))).toStrictEqual(
      bad("[0].cluster_id"),
    );
  });

  it("an item whose nodes are not a list of URLs", () => {
    expect(checkTree(withFile("- cluster_id: mongo-rs\n  nodes: http://mongo-1:37017\n"))).toStrictEqual(
      bad("[0].nodes"),
    );
  });

  it("text that is not YAML", () => {
    expect(checkTree(withFile("- cluster_id: [unclosed\n"))).toStrictEqual(bad());
  });

  const settingsRepo = (file: string) =>
    tree({
      [HANDOVER]: handover("    settings_dir: clusters/alpha/apply\n", "    settings_dir: clusters/beta/apply\n"),
      [ALPHA]: settingsCore("alpha"),
      [BETA]: settingsCore("beta"),
      "clusters/alpha/apply/mongo.yaml": file,
    });
  const badObject = (...parts: string[]): Violation[] => [
    {
      rule: "malformed-discovery-file",
      message: mentions("alpha", "clusters/alpha/apply/mongo.yaml", ...parts),
      clusters: ["alpha"],
      subject: "clusters/alpha/apply/mongo.yaml",
      files: ["clusters/alpha/apply/mongo.yaml"],
    },
  ];

  it("a DiscoverySettings object without spec.url", () => {
    expect(checkTree(settingsRepo(discoverySettings("mongo", "x").replace("  url: 'x'\n", "")))).toStrictEqual(
      badObject("spec.url"),
    );
  });

  it("two DiscoverySettings objects in one file (replictl applies one per file)", () => {
    const two = `${discoverySettings("a", "http://a.corp/d")}---\n${discoverySettings("b", "http://b.corp/d")}`;
    expect(checkTree(settingsRepo(two))).toStrictEqual(badObject("2 DiscoverySettings"));
  });

  it("an object of another kind in settings_dir is not discovery and not an error", () => {
    expect(
      checkTree(settingsRepo("apiVersion: replicante.io/v0\nkind: NodeAction\nmetadata:\n  namespace: default\n")),
    ).toStrictEqual([]);
  });
});

describe("unfinished-scaffold", () => {
  it("every REPLACE-ME value left in a cluster's config, by field", () => {
    const core = `api:\n  bind: 'REPLACE-ME:16016'\ncoordinator:\n  options:\n    ensemble: 'REPLACE-ME:2181/replicante'\ndiscovery:\n  backends:\n    files: []\n`;
    expect(checkTree(tree({ [HANDOVER]: handover(), [ALPHA]: filesCore("alpha", []), [BETA]: core }))).toStrictEqual([
      {
        rule: "unfinished-scaffold",
        message: mentions("beta", BETA, "api.bind", "REPLACE-ME:16016"),
        clusters: ["beta"],
        subject: "api.bind",
        files: [BETA],
      },
      {
        rule: "unfinished-scaffold",
        message: mentions("beta", BETA, "coordinator.options.ensemble", "REPLACE-ME:2181/replicante"),
        clusters: ["beta"],
        subject: "coordinator.options.ensemble",
        files: [BETA],
      },
    ]);
  });
});

describe("ordering", () => {
  it("violations of several rules come in rule order, then by subject", () => {
    const violations = checkTree(
      tree({
        [HANDOVER]: handover(),
        [ALPHA]: filesCore("alpha", ["conf.d/a.yaml", "conf.d/gone.yaml"]),
        [BETA]: `${filesCore("beta", ["conf.d/b.yaml"])}api:\n  bind: REPLACE-ME\n`,
        "clusters/alpha/conf.d/a.yaml": discoveryFile("mongo-rs", ["http://n1:37017", "http://n2:37017"]),
        "clusters/beta/conf.d/b.yaml": `${discoveryFile("mongo-rs", ["http://n2:37017"])}${discoveryFile("kafka", ["http://n1:37017"])}`,
      }),
    );
    expect(violations.map((v) => [v.rule, v.subject])).toStrictEqual([
      ["shared-datastore", "mongo-rs"],
      ["shared-node", "http://n1:37017"],
      ["shared-node", "http://n2:37017"],
      ["missing-discovery-file", "conf.d/gone.yaml"],
      ["unfinished-scaffold", "api.bind"],
    ]);
  });
});

describe("checkingTree", () => {
  it("finds what checkTree finds, in pieces: the shared backends, the shared reach, the rest", () => {
    const shared = tree({
      [HANDOVER]: handover(),
      [ALPHA]: filesCore("alpha", ["conf.d/mongo.yaml"]),
      [BETA]: filesCore("beta", ["conf.d/legacy.yaml"]),
      "clusters/alpha/conf.d/mongo.yaml": discoveryFile("mongo-rs", ["http://mongo-1:37017"]),
      "clusters/beta/conf.d/legacy.yaml": discoveryFile("mongo-rs", ["http://mongo-1:37017"]),
    });
    const work = checkingTree(shared);
    let pieces = 0;
    let next = work.next();
    for (; !next.done; next = work.next()) pieces++;
    expect(pieces).toBe(2);
    expect(next.value.map((v) => [v.rule, v.subject])).toStrictEqual([
      ["shared-datastore", "mongo-rs"],
      ["shared-node", "http://mongo-1:37017"],
    ]);
    expect(next.value).toStrictEqual(checkTree(new Map(shared)));
  });
});
