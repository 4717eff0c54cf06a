import { describe, expect, test } from "vitest";
import { EditError, appendSeqItems, readSeqItems, removeSeqItems, removingSeqItems } from "../../../src/edit/index.js";
import { coreConfig, crlf, files, http, httpConfig, statefulSet } from "./fixtures.js";

const isValue = (want: unknown) => (v: unknown) => JSON.stringify(v) === JSON.stringify(want);
const urlHas = (part: string) => (v: unknown) => String((v as { url?: unknown }).url).includes(part);

describe("readSeqItems", () => {
  test("block items keep their quotes in raw", () => {
    expect(readSeqItems(coreConfig, files)).toEqual([
      { raw: "'conf.d/kafka.yaml'", value: "conf.d/kafka.yaml" },
      { raw: '"conf.d/mongo.yaml"', value: "conf.d/mongo.yaml" },
      { raw: "/opt/replicante/conf.d/zookeeper.yaml", value: "/opt/replicante/conf.d/zookeeper.yaml" },
    ]);
  });

  test("mapping items come back de-indented, with inner comments", () => {
    expect(readSeqItems(httpConfig, http)).toEqual([
      {
        raw: "url: 'https://kafka.internal:8080/discover'\nmethod: GET\ntimeout: 30000",
        value: { url: "https://kafka.internal:8080/discover", method: "GET", timeout: 30000 },
      },
      {
        raw: "url: 'https://mongo.internal:8080/discover'   # primary\nmethod: POST\nheaders:\n  x-token: abc",
        value: { url: "https://mongo.internal:8080/discover", method: "POST", headers: { "x-token": "abc" } },
      },
    ]);
  });

  test("a multi-line item keeps the comment on its last line; a single-line item's comment stays out (it may go into a flow list)", () => {
    const text = "http:\n  - url: 'https://a'\n    method: GET   # read only\n  - url: 'https://b'   # the b fleet\n";
    expect(readSeqItems(text, ["http"]).map((i) => i.raw)).toEqual([
      "url: 'https://a'\nmethod: GET   # read only",
      "url: 'https://b'",
    ]);
    const appended = appendSeqItems(
      "http: []\n",
      ["http"],
      readSeqItems(text, ["http"]).map((i) => i.raw),
    );
    expect(appended).toBe("http:\n  - url: 'https://a'\n    method: GET   # read only\n  - url: 'https://b'\n");
  });

  test("flow items, missing key, null value", () => {
    expect(readSeqItems("files: [a.yaml, 'b.yaml']\n", ["files"])).toEqual([
      { raw: "a.yaml", value: "a.yaml" },
      { raw: "'b.yaml'", value: "b.yaml" },
    ]);
    expect(readSeqItems("discovery:\n  interval: 60\n", files)).toEqual([]);
    expect(readSeqItems("discovery:\n  backends:\n    files:\n", files)).toEqual([]);
    expect(readSeqItems("discovery:\n  backends:\n    files: ~\n", files)).toEqual([]);
  });
});

describe("removeSeqItems on block sequences", () => {
  test("removes an item with its trailing comment, nothing else", () => {
    expect(
      removeSeqItems(coreConfig, files, isValue("conf.d/kafka.yaml")),
    ).toBe(`# replicante.yaml — identical on every node
api:
  bind: '0.0.0.0:16016'

discovery:
  backends:
    files:
      - "conf.d/mongo.yaml"
      - /opt/replicante/conf.d/zookeeper.yaml
  interval: 60
`);
  });

  test("removes several items chosen by index", () => {
    expect(removeSeqItems(coreConfig, files, (_, i) => i !== 1)).toBe(`# replicante.yaml — identical on every node
api:
  bind: '0.0.0.0:16016'

discovery:
  backends:
    files:
      - "conf.d/mongo.yaml"
  interval: 60
`);
  });

  test("removing every item leaves `key: []`", () => {
    expect(removeSeqItems(coreConfig, files, () => true)).toBe(`# replicante.yaml — identical on every node
api:
  bind: '0.0.0.0:16016'

discovery:
  backends:
    files: []
  interval: 60
`);
  });

  test("removes a whole multi-line mapping item; comment lines between items stay", () => {
    expect(removeSeqItems(httpConfig, http, urlHas("mongo"))).toBe(`discovery:
  backends:
    http:
      - url: 'https://kafka.internal:8080/discover'
        method: GET
        timeout: 30000
      # mongo moved here in 2023

  interval: 60
`);
    expect(removeSeqItems(httpConfig, http, urlHas("kafka"))).toBe(`discovery:
  backends:
    http:
      # mongo moved here in 2023
      - url: 'https://mongo.internal:8080/discover'   # primary
        method: POST
        headers:
          x-token: abc

  interval: 60
`);
  });

  test("indentless sequence", () => {
    expect(removeSeqItems("files:\n- a.yaml\n- b.yaml\nnext: 1\n", ["files"], isValue("a.yaml"))).toBe(
      "files:\n- b.yaml\nnext: 1\n",
    );
  });

  test("null items can be removed", () => {
    expect(removeSeqItems("files:\n  -\n  - b\n", ["files"], (v) => v === null)).toBe("files:\n  - b\n");
  });

  test("CRLF file stays CRLF", () => {
    expect(removeSeqItems(crlf(coreConfig), files, isValue("conf.d/mongo.yaml"))).toBe(
      crlf(coreConfig.replace('      - "conf.d/mongo.yaml"\n', "")),
    );
  });

  test("file without trailing newline keeps none", () => {
    expect(removeSeqItems("files:\n  - a\n  - b", ["files"], isValue("b"))).toBe("files:\n  - a");
    expect(removeSeqItems("files:\n  - a\n  - b", ["files"], () => true)).toBe("files: []");
    expect(removeSeqItems("files:\r\n  - a\r\n  - b", ["files"], isValue("b"))).toBe("files:\r\n  - a");
  });

  test("nothing to remove, missing or null sequence: text returned as is", () => {
    expect(removeSeqItems(coreConfig, files, () => false)).toBe(coreConfig);
    expect(removeSeqItems("discovery: {}\n", files, () => true)).toBe("discovery: {}\n");
  });
});

describe("removeSeqItems on flow sequences", () => {
  test("rebuilds only the flow node", () => {
    expect(removeSeqItems("files: [a.yaml, 'b.yaml']   # two\nx: 1\n", ["files"], isValue("a.yaml"))).toBe(
      "files: ['b.yaml']   # two\nx: 1\n",
    );
    expect(removeSeqItems("files: [ a.yaml ,'b.yaml',c ]\n", ["files"], isValue("b.yaml"))).toBe(
      "files: [a.yaml, c]\n",
    );
  });

  test("emptied flow sequence becomes []", () => {
    expect(removeSeqItems("files: [a.yaml]\n", ["files"], () => true)).toBe("files: []\n");
  });
});

describe("appendSeqItems", () => {
  test("block: raw items keep their quotes, follow the last item's indentation", () => {
    expect(
      appendSeqItems(coreConfig, files, ["'conf.d/redis.yaml'", "conf.d/pg.yaml"]),
    ).toBe(`# replicante.yaml — identical on every node
api:
  bind: '0.0.0.0:16016'

discovery:
  backends:
    files:
      - 'conf.d/kafka.yaml'   # the kafka fleet
      - "conf.d/mongo.yaml"
      - /opt/replicante/conf.d/zookeeper.yaml
      - 'conf.d/redis.yaml'
      - conf.d/pg.yaml
  interval: 60
`);
  });

  test("block: multi-line mapping item re-indented, round-trips from readSeqItems", () => {
    const kafkaOnly = removeSeqItems(httpConfig, http, urlHas("mongo"));
    const mongo = readSeqItems(httpConfig, http)[1]?.raw ?? "";
    expect(appendSeqItems(kafkaOnly, http, [mongo])).toBe(`discovery:
  backends:
    http:
      - url: 'https://kafka.internal:8080/discover'
        method: GET
        timeout: 30000
      - url: 'https://mongo.internal:8080/discover'   # primary
        method: POST
        headers:
          x-token: abc
      # mongo moved here in 2023

  interval: 60
`);
  });

  test("block: indentless sequence and wide dash style are kept", () => {
    expect(appendSeqItems("files:\n- a\n- b\nnext: 1\n", ["files"], ["c"])).toBe("files:\n- a\n- b\n- c\nnext: 1\n");
    expect(appendSeqItems("l:\n  -   url: x\n      m: 1\n", ["l"], ["url: y\nm: 2"])).toBe(
      "l:\n  -   url: x\n      m: 1\n  -   url: y\n      m: 2\n",
    );
  });

  test("flow: items go inside the brackets", () => {
    expect(appendSeqItems("files: [a.yaml, 'b.yaml']  # c\n", ["files"], ["'c.yaml'"])).toBe(
      "files: [a.yaml, 'b.yaml', 'c.yaml']  # c\n",
    );
  });

  test("flow: an empty `[]` under a key becomes a block list, dashes placed like its siblings'", () => {
    expect(appendSeqItems("files: []\n", ["files"], ["a.yaml", "b.yaml"])).toBe("files:\n  - a.yaml\n  - b.yaml\n");
    expect(appendSeqItems("b:\n  http:\n  - url: x\n  files: []  # none\n  n: 1\n", ["b", "files"], ["a"])).toBe(
      "b:\n  http:\n  - url: x\n  files:  # none\n  - a\n  n: 1\n",
    );
    const once = appendSeqItems("x:\n  files: []\n  y: 1\n", ["x", "files"], ["a"]);
    expect(once).toBe("x:\n  files:\n    - a\n  y: 1\n");
    expect(appendSeqItems(once, ["x", "files"], ["b"])).toBe("x:\n  files:\n    - a\n    - b\n  y: 1\n");
  });

  test("flow: empty flow filled with mapping items becomes a block sequence under the key", () => {
    expect(
      appendSeqItems("discovery:\n  backends:\n    http: []   # none yet\n  interval: 60\n", http, [
        "url: 'https://x'\nmethod: GET\ntimeout: 30000",
      ]),
    ).toBe(`discovery:
  backends:
    http:   # none yet
      - url: 'https://x'
        method: GET
        timeout: 30000
  interval: 60
`);
  });

  test("null value and missing keys create a block sequence", () => {
    expect(appendSeqItems("discovery:\n  backends:\n    files:\n  interval: 60\n", files, ["a.yaml"])).toBe(
      "discovery:\n  backends:\n    files:\n      - a.yaml\n  interval: 60\n",
    );
    expect(appendSeqItems("discovery:\n  backends:\n    files: ~  # later\n", files, ["a.yaml"])).toBe(
      "discovery:\n  backends:\n    files:  # later\n      - a.yaml\n",
    );
    expect(appendSeqItems("api:\n  bind: x\n\ndiscovery:\n  interval: 60\n", files, ["'a.yaml'", "b.yaml"])).toBe(
      "api:\n  bind: x\n\ndiscovery:\n  interval: 60\n  backends:\n    files:\n      - 'a.yaml'\n      - b.yaml\n",
    );
  });

  test("CRLF and no trailing newline", () => {
    expect(appendSeqItems("files:\r\n- a\r\n- b", ["files"], ["c"])).toBe("files:\r\n- a\r\n- b\r\n- c");
    expect(appendSeqItems(crlf("x: 1\nfiles:\n"), ["files"], ["url: y\nm: GET"])).toBe(
      crlf("x: 1\nfiles:\n  - url: y\n    m: GET\n"),
    );
    expect(appendSeqItems("x: 1\nfiles:", ["files"], ["a"])).toBe("x: 1\nfiles:\n  - a");
  });

  test("no items: text returned as is", () => {
    expect(appendSeqItems(coreConfig, files, [])).toBe(coreConfig);
  });
});

describe("multi-document files", () => {
  const containers = ["spec", "template", "spec", "containers"];

  test("only the chosen document changes", () => {
    expect(appendSeqItems(statefulSet, containers, ["name: agent\nimage: replicante/agent:0.3.1"], 1)).toBe(
      statefulSet.replace(
        '          image: "replicante/replicante:0.3.1"\n',
        '          image: "replicante/replicante:0.3.1"\n        - name: agent\n          image: replicante/agent:0.3.1\n',
      ),
    );
    expect(removeSeqItems(statefulSet, containers, () => true, 1)).toBe(
      statefulSet.replace(
        '      containers:\n        - name: core\n          image: "replicante/replicante:0.3.1"\n',
        "      containers: []\n",
      ),
    );
    expect(readSeqItems(statefulSet, containers, 0)).toEqual([]);
  });
});

describe("sequence errors name the path", () => {
  test("target is not a sequence", () => {
    expect(() => readSeqItems(coreConfig, ["discovery", "backends"])).toThrow(
      new EditError("discovery.backends is a map, not a sequence"),
    );
    expect(() => appendSeqItems(coreConfig, ["api", "bind"], ["x"])).toThrow(
      new EditError("api.bind is a scalar, not a sequence"),
    );
  });

  test("path through a scalar", () => {
    expect(() => removeSeqItems(coreConfig, ["api", "bind", "files"], () => true)).toThrow(
      new EditError('cannot reach api.bind.files: api.bind is a scalar, not a map (key "files")'),
    );
  });

  test("malformed YAML input", () => {
    expect(() => readSeqItems("discovery:\n  backends: [a\n", files)).toThrow(EditError);
    expect(() => readSeqItems("discovery:\n  backends: [a\n", files)).toThrow(
      /^cannot edit discovery\.backends\.files: the file is not valid YAML: /,
    );
  });

  test("raw item that is not YAML", () => {
    expect(() => appendSeqItems(coreConfig, files, ["[oops"])).toThrow(
      /^cannot append "\[oops" to discovery\.backends\.files/,
    );
  });

  test("multi-line items into a non-empty flow sequence inside a flow map", () => {
    expect(() => appendSeqItems("d: {files: [a]}\n", ["d", "files"], ["url: x\nm: 1"])).toThrow(
      new EditError(
        "cannot append multi-line items to d.files (line 1): it is a flow sequence not under a block map key",
      ),
    );
  });
});

describe("removingSeqItems", () => {
  const items = Array.from({ length: 300 }, (_, i) => `    - 'conf.d/s-${i}.yaml'\n`).join("");
  const config = `# head\nstorage:\n  db: x\ndiscovery:\n  files:\n${items}  interval: 60\n`;
  const path = ["discovery", "files"];
  function run(text: string, remove: (v: unknown, i: number) => boolean): { text: string; yields: number } {
    const work = removingSeqItems(text, path, remove);
    let yields = 0;
    let next = work.next();
    for (; !next.done; next = work.next()) yields++;
    return { text: next.value, yields };
  }

  test("empties a list of 300 items in pieces, as removeSeqItems does at once", () => {
    const { text, yields } = run(config, () => true);
    expect(text).toBe(removeSeqItems(config, path, () => true));
    expect(text).toBe("# head\nstorage:\n  db: x\ndiscovery:\n  files: []\n  interval: 60\n");
    // The parse's pieces, then the values, the alias check and the edits apart.
    expect(yields).toBeGreaterThan(3);
  });

  test("removes some items, keeps a byte order mark, and refuses what removeSeqItems refuses", () => {
    const bom = `\uFEFF${config}`;
    const some = (_v: unknown, i: number) => i % 2 === 1;
    expect(run(bom, some).text).toBe(removeSeqItems(bom, path, some));
    expect(run(bom, some).text.startsWith("\uFEFF# head\n")).toBe(true);
    expect(run(config, () => false).text).toBe(config);
    const scalar = "discovery:\n  files: 3\n";
    expect(() => run(scalar, () => true)).toThrow("discovery.files is a scalar, not a sequence");
    expect(() => removeSeqItems(scalar, path, () => true)).toThrow("discovery.files is a scalar, not a sequence");
  });
});
