import { describe, expect, test } from "vitest";
import { EditError, insertMapEntry, readEntryRaw, removeKey, setScalar } from "../../../src/edit/index.js";
import { coreConfig, crlf, restartKey, statefulSet } from "./fixtures.js";

describe("setScalar", () => {
  test("replacing keeps single quotes and touches only the scalar", () => {
    expect(setScalar(coreConfig, ["api", "bind"], "0.0.0.0:17017")).toBe(
      coreConfig.replace("bind: '0.0.0.0:16016'", "bind: '0.0.0.0:17017'"),
    );
  });

  test("quote style: single and double kept when possible, plain stays plain when safe", () => {
    expect(setScalar("a: 'x'  # c\n", ["a"], "it's")).toBe("a: 'it''s'  # c\n");
    expect(setScalar('a: "x"\n', ["a"], "it's")).toBe('a: "it\'s"\n');
    expect(setScalar("a: x\n", ["a"], "https://y:8080/p")).toBe("a: https://y:8080/p\n");
    expect(setScalar("a: 'x'\n", ["a"], "line\nbreak")).toBe('a: "line\\nbreak"\n');
  });

  test("plain values that would read back as something else are double-quoted", () => {
    expect(setScalar("a: x\n", ["a"], "yes")).toBe('a: "yes"\n');
    expect(setScalar("a: x\n", ["a"], "30")).toBe('a: "30"\n');
    expect(setScalar("a: x\n", ["a"], "a: b")).toBe('a: "a: b"\n');
    expect(setScalar("a: x\n", ["a"], "x # y")).toBe('a: "x # y"\n');
    expect(setScalar("a: x\n", ["a"], "")).toBe('a: ""\n');
    expect(setScalar("a: [x, y]\n", ["a", 1], "z, w")).toBe('a: [x, "z, w"]\n');
  });

  test("null and block scalars are replaced in place", () => {
    expect(setScalar("a:\nb: 1\n", ["a"], "z")).toBe("a: z\nb: 1\n");
    expect(setScalar("a: ~  # unset\nb: 1\n", ["a"], "z")).toBe("a: z  # unset\nb: 1\n");
    expect(setScalar("a: |\n  x\n  y\nb: 1\n", ["a"], "z")).toBe("a: z\nb: 1\n");
  });

  test("same value: text returned as is", () => {
    expect(setScalar(coreConfig, ["api", "bind"], "0.0.0.0:16016")).toBe(coreConfig);
  });

  test("missing maps are created under the right parent", () => {
    expect(setScalar(coreConfig, ["api", "tls", "cert"], "/etc/tls/cert.pem")).toBe(
      coreConfig.replace("bind: '0.0.0.0:16016'\n", "bind: '0.0.0.0:16016'\n  tls:\n    cert: /etc/tls/cert.pem\n"),
    );
    expect(setScalar("x: 1\nmeta:\n", ["meta", "a", "b"], "v")).toBe("x: 1\nmeta:\n  a:\n    b: v\n");
    expect(setScalar("metadata: {name: x}\n", ["metadata", "labels", "app"], "y z")).toBe(
      "metadata: {name: x, labels: {app: y z}}\n",
    );
  });

  test("restart annotation in document 1 of a StatefulSet manifest: created, then bumped", () => {
    const created = setScalar(statefulSet, restartKey, "42-release-canary", 1);
    expect(created).toBe(
      statefulSet.replace(
        "        app: replicore-a   # selector, do not change\n",
        "        app: replicore-a   # selector, do not change\n      annotations:\n        handover.replicante.io/restart: 42-release-canary\n",
      ),
    );
    const bumped = setScalar(created, restartKey, "42-adopt-canary", 1);
    expect(bumped).toBe(created.replace("42-release-canary", "42-adopt-canary"));
    expect(setScalar(bumped, restartKey, "42-adopt-canary", 1)).toBe(bumped);
  });

  test("annotations present but empty, and in a CRLF file without trailing newline", () => {
    const sts = "spec:\n  template:\n    metadata:\n      annotations:\n    spec: {}";
    expect(setScalar(crlf(sts), restartKey, "7-adopt-rest")).toBe(
      crlf(
        "spec:\n  template:\n    metadata:\n      annotations:\n        handover.replicante.io/restart: 7-adopt-rest\n    spec: {}",
      ),
    );
    expect(setScalar("spec:\n  template:\n    metadata:", restartKey, "1-x")).toBe(
      "spec:\n  template:\n    metadata:\n      annotations:\n        handover.replicante.io/restart: 1-x",
    );
  });

  test("errors name the path", () => {
    expect(() => setScalar(coreConfig, ["api", "bind", "port"], "1")).toThrow(
      new EditError('cannot reach api.bind.port: api.bind is a scalar, not a map (key "port")'),
    );
    expect(() => setScalar(coreConfig, ["discovery", "backends"], "1")).toThrow(
      new EditError("cannot set discovery.backends: it is a map, not a scalar"),
    );
    expect(() => setScalar(coreConfig, ["discovery", "backends", "files", 5], "x")).toThrow(
      new EditError(
        "cannot create discovery.backends.files[5]: discovery.backends.files has no item 5 (only map keys are created)",
      ),
    );
    expect(() => setScalar(statefulSet, restartKey, "x", 3)).toThrow(
      new EditError(
        'cannot edit spec.template.metadata.annotations."handover.replicante.io/restart": document 3 does not exist (the file has 3)',
      ),
    );
    expect(() => setScalar("a: [1\n", ["a"], "x")).toThrow(/^cannot edit a: the file is not valid YAML/);
  });
});

describe("removeKey", () => {
  test("removes the key lines and the comment lines attached above it", () => {
    const text = "a: 1\n\n# about b\n# more\nb:\n  c: 2   # inner\n  d: [3]\n# about e\n\ne: 4\n";
    expect(removeKey(text, ["b"])).toBe("a: 1\n\n# about e\n\ne: 4\n");
  });

  test("a nested key", () => {
    expect(removeKey(coreConfig, ["discovery", "interval"])).toBe(coreConfig.replace("  interval: 60\n", ""));
  });

  test("the last key of a map leaves `key: {}`", () => {
    expect(removeKey(coreConfig, ["api", "bind"])).toBe(
      coreConfig.replace("api:\n  bind: '0.0.0.0:16016'\n", "api: {}\n"),
    );
  });

  test("first key of a sequence item: the dash stays", () => {
    expect(removeKey("l:\n  - url: x\n    m: 1\n", ["l", 0, "url"])).toBe("l:\n  - m: 1\n");
    expect(removeKey("l:\n  - url: x\n", ["l", 0, "url"])).toBe("l:\n  - {}\n");
  });

  test("flow maps are rebuilt", () => {
    expect(removeKey("m: {a: 1, 'b': x}  # c\n", ["m", "a"])).toBe("m: {'b': x}  # c\n");
  });

  test("missing key: text returned as is; CRLF and no trailing newline kept", () => {
    expect(removeKey(coreConfig, ["api", "nope"])).toBe(coreConfig);
    expect(removeKey("x: 1\r\ny: 2", ["y"])).toBe("x: 1");
    expect(removeKey("x: 1\r\ny: 2\r\nz: 3\r\n", ["y"])).toBe("x: 1\r\nz: 3\r\n");
  });

  test("only the chosen document changes", () => {
    expect(removeKey(statefulSet, ["spec", "serviceName"], 1)).toBe(
      statefulSet.replace("  serviceName: replicore-a\n", ""),
    );
  });

  test("path through a scalar", () => {
    expect(() => removeKey(coreConfig, ["api", "bind", "x"])).toThrow(
      new EditError('cannot reach api.bind.x: api.bind is a scalar, not a map (key "x")'),
    );
  });
});

const handoverYml = `version: 1
clusters:
  replicore-a:
    config: clusters/replicore-a/replicante.yaml   # the Core config
    restart:
      file: clusters/replicore-a/statefulset.yaml

  replicore-z:
    config: clusters/replicore-z/replicante.yaml
defaults:
  soak: 10m
`;

describe("insertMapEntry and readEntryRaw", () => {
  test("readEntryRaw gives the entry de-indented, comments included", () => {
    expect(readEntryRaw(handoverYml, ["clusters", "replicore-a"])).toBe(
      "replicore-a:\n  config: clusters/replicore-a/replicante.yaml   # the Core config\n  restart:\n    file: clusters/replicore-a/statefulset.yaml\n",
    );
    expect(readEntryRaw(handoverYml, ["defaults", "soak"])).toBe("soak: 10m\n");
    expect(readEntryRaw(handoverYml, ["clusters", "nope"])).toBeUndefined();
  });

  test("inserted after a given key, re-indented to the map", () => {
    const entry = "replicore-b:\n  config: clusters/replicore-b/replicante.yaml\n";
    expect(insertMapEntry(handoverYml, ["clusters"], entry, "replicore-a")).toBe(
      handoverYml.replace(
        "      file: clusters/replicore-a/statefulset.yaml\n",
        "      file: clusters/replicore-a/statefulset.yaml\n  replicore-b:\n    config: clusters/replicore-b/replicante.yaml\n",
      ),
    );
  });

  test("inserted at the end of the map; an indented raw entry is re-indented", () => {
    expect(insertMapEntry(handoverYml, ["clusters"], "    replicore-b:\n      config: b.yaml", undefined)).toBe(
      handoverYml.replace(
        "    config: clusters/replicore-z/replicante.yaml\n",
        "    config: clusters/replicore-z/replicante.yaml\n  replicore-b:\n    config: b.yaml\n",
      ),
    );
  });

  test("copying a cluster block through readEntryRaw", () => {
    const raw = readEntryRaw(handoverYml, ["clusters", "replicore-a"]) ?? "";
    const copy = raw.replaceAll("replicore-a", "replicore-b");
    const out = insertMapEntry(handoverYml, ["clusters"], copy, "replicore-a");
    expect(readEntryRaw(out, ["clusters", "replicore-b"])).toBe(copy);
  });

  test("null map value and missing map are created; CRLF kept", () => {
    expect(insertMapEntry(crlf("clusters:\ndefaults: {}\n"), ["clusters"], "a:\n  config: a.yaml\n")).toBe(
      crlf("clusters:\n  a:\n    config: a.yaml\ndefaults: {}\n"),
    );
    expect(insertMapEntry("version: 1\n", ["clusters"], "a:\n  config: a.yaml\n")).toBe(
      "version: 1\nclusters:\n  a:\n    config: a.yaml\n",
    );
  });

  test("errors", () => {
    expect(() => insertMapEntry(handoverYml, ["clusters"], "replicore-z: {}")).toThrow(
      new EditError("cannot insert clusters.replicore-z: the key already exists"),
    );
    expect(() => insertMapEntry(handoverYml, ["clusters"], "b: {}", "nope")).toThrow(
      new EditError("cannot insert after clusters.nope: no such key"),
    );
    expect(() => insertMapEntry(handoverYml, ["version"], "b: {}")).toThrow(
      new EditError("cannot insert into version: it is not a map"),
    );
    expect(() => insertMapEntry(handoverYml, ["clusters"], "- not a map")).toThrow(
      new EditError("cannot insert into clusters: the new entry is not a YAML map entry"),
    );
    expect(() => readEntryRaw(handoverYml, ["version", "x"])).toThrow(
      new EditError('cannot reach version.x: version is a scalar, not a map (key "x")'),
    );
  });
});
