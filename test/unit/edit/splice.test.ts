// LineList against the verified edits it stands in for: the same text after every removal and append, and the same
// item values, on the shapes where it reads values and line endings without parsing or scanning the file again.
import { describe, expect, test } from "vitest";
import { appendSeqItems, LineList, readSeqItems, removeSeqItems } from "../../../src/edit/index.js";

const FILES = ["discovery", "backends", "files"];

function list(text: string): LineList {
  const found = LineList.of(text, FILES);
  if (!found) throw new Error("not a line list");
  return found;
}

describe("LineList", () => {
  test("appends with the file's dominant line ending as it stands after each removal", () => {
    // Three CRLF item lines against two LF lines: CRLF dominates until two of those items are gone.
    const text = "discovery:\n  backends:\n    files:\r\n      - a/1.yaml\r\n      - a/2.yaml\r\n      - a/3.yaml\r\n";
    const lines = list(text);
    const removed = lines.remove([true, true, false]);
    const expected = removeSeqItems(text, FILES, (_v, i) => i < 2);
    expect(removed).toBe(expected);
    const appended = lines.append(["a/4.yaml"]);
    expect(appended).toBe(appendSeqItems(expected, FILES, ["a/4.yaml"]));
    expect(appended).toBe("discovery:\n  backends:\n    files:\r\n      - a/3.yaml\r\n      - a/4.yaml\n");
  });

  test("keeps appending CRLF lines while CRLF dominates", () => {
    const text = "discovery:\r\n  backends:\r\n    files:\r\n      - a/1.yaml\n";
    const lines = list(text);
    const once = lines.append(["a/2.yaml"]);
    expect(once).toBe(appendSeqItems(text, FILES, ["a/2.yaml"]));
    const twice = lines.append(["a/3.yaml"]);
    expect(twice).toBe(appendSeqItems(once ?? "", FILES, ["a/3.yaml"]));
    expect(twice?.endsWith("      - a/2.yaml\r\n      - a/3.yaml\r\n")).toBe(true);
  });

  test("reads appended quoted and plain paths as a parse does, and parses every other scalar", () => {
    const text = "discovery:\n  backends:\n    files:\n      - 'a/1.yaml'\n";
    const lines = list(text);
    const raws = ["'it''s/2.yaml'", "./b/3.yaml", "true", "'no-slash'", '"x/4.yaml"', "0x1F"];
    const after = lines.append(raws) ?? "";
    const read = readSeqItems(after, FILES).map((item) => item.value);
    expect(read).toEqual(["a/1.yaml", "it's/2.yaml", "./b/3.yaml", true, "no-slash", "x/4.yaml", 31]);
    expect(Array.from({ length: lines.length }, (_, i) => lines.value(i))).toEqual(read);
  });
});

describe("LineList.reading", () => {
  const items = Array.from({ length: 600 }, (_, i) => `      - 'conf.d/store-${String(i).padStart(4, "0")}.yaml'\n`);
  const text = `discovery:\n  backends:\n    files:\n${items.join("")}  interval: 60\n`;

  test("reads a list of 600 items in pieces, as LineList.of reads it at once", () => {
    const work = LineList.reading(`${text}# read in pieces\n`, FILES);
    let yields = 0;
    let next = work.next();
    for (; !next.done; next = work.next()) yields++;
    // The parse's own pieces, then one after each 100 items.
    expect(yields).toBeGreaterThan(2);
    const pieces = next.value;
    const whole = list(`${text}# read in pieces\n`);
    expect(pieces?.length).toBe(600);
    expect(pieces?.value(599)).toBe("conf.d/store-0599.yaml");
    const drop = Array.from({ length: 600 }, (_, i) => i % 3 === 0);
    const removed = pieces?.remove(drop);
    expect(removed).toBe(whole.remove(drop));
    expect(removed).toBe(removeSeqItems(`${text}# read in pieces\n`, FILES, (_v, i) => i % 3 === 0));
  });

  test("refuses what LineList.of refuses: a list with an item over two lines", () => {
    const folded = text.replace("      - 'conf.d/store-0002.yaml'\n", "      - 'conf.d/store-0002\n        .yaml'\n");
    const work = LineList.reading(folded, FILES);
    let next = work.next();
    while (!next.done) next = work.next();
    expect(next.value).toBeUndefined();
    expect(LineList.of(folded, FILES)).toBeUndefined();
  });
});

describe("LineList of block map items (http-era endpoints)", () => {
  const HTTP = ["discovery", "backends", "http"];
  const text = [
    "discovery:",
    "  backends:",
    "    http:",
    "      - url: 'https://a.corp/replicante'",
    "        method: GET",
    "      # b serves the billing stores",
    "      - url: https://b.corp/replicante",
    "        # its token rotates monthly",
    "        headers:",
    "          X-Token: b-2026",
    "",
    "      - {url: 'https://c.corp/replicante'}",
    "      - method: POST",
    '        url: "https://d.corp/replicante"',
    "  interval: 60",
    "",
  ].join("\n");
  const http = (t: string): LineList => {
    const found = LineList.of(t, HTTP);
    if (!found) throw new Error("not a line list");
    return found;
  };

  test("removes items as removeSeqItems does: their lines, the comments and blank lines between items kept", () => {
    const lines = http(text);
    expect(Array.from({ length: lines.length }, (_, i) => lines.value(i))).toEqual(
      readSeqItems(text, HTTP).map((item) => item.value),
    );
    const drop = [false, true, false, true];
    const removed = lines.remove(drop);
    expect(removed).toBe(removeSeqItems(text, HTTP, (_v, i) => drop[i] === true));
    expect(removed).toBe(
      [
        "discovery:",
        "  backends:",
        "    http:",
        "      - url: 'https://a.corp/replicante'",
        "        method: GET",
        "      # b serves the billing stores",
        "",
        "      - {url: 'https://c.corp/replicante'}",
        "  interval: 60",
        "",
      ].join("\n"),
    );
  });

  test("appends the raw items readSeqItems gives of another list as appendSeqItems does, and reads their values", () => {
    const raws = readSeqItems(text, HTTP)
      .slice(0, 2)
      .map((item) => item.raw);
    const target = "discovery:\n  backends:\n    http:\n    - url: https://own.corp/replicante\n  interval: 30\n";
    const lines = http(target);
    const appended = lines.append(raws);
    expect(appended).toBe(appendSeqItems(target, HTTP, raws));
    expect(appended).toBe(
      [
        "discovery:",
        "  backends:",
        "    http:",
        "    - url: https://own.corp/replicante",
        "    - url: 'https://a.corp/replicante'",
        "      method: GET",
        "    - url: https://b.corp/replicante",
        "      # its token rotates monthly",
        "      headers:",
        "        X-Token: b-2026",
        "  interval: 30",
        "",
      ].join("\n"),
    );
    expect([lines.value(1), lines.value(2)]).toEqual([
      { url: "https://a.corp/replicante", method: "GET" },
      { url: "https://b.corp/replicante", headers: { "X-Token": "b-2026" } },
    ]);
    // The appended items are known by their lines: removing one is removeSeqItems's edit again.
    expect(lines.remove([false, true, false])).toBe(removeSeqItems(appended ?? "", HTTP, (_v, i) => i === 1));
  });

  test("appends an endpoint of one line (a static discovery document's url) as appendSeqItems does", () => {
    const raw = "url: 'http://static.corp/b/g0.json'";
    const lines = http(text);
    const appended = lines.append([raw]);
    expect(appended).toBe(appendSeqItems(text, HTTP, [raw]));
    expect(appended).toBe(
      text.replace("  interval: 60", "      - url: 'http://static.corp/b/g0.json'\n  interval: 60"),
    );
    expect(lines.value(4)).toEqual({ url: "http://static.corp/b/g0.json" });
    // A one-line flow map, or one whose comment would end up on the item's dash line, is appendSeqItems's to write.
    expect(lines.append(["{url: 'http://static.corp/b/g1.json'}"])).toBeUndefined();
    expect(lines.append(["url: 'http://static.corp/b/g1.json' # group g1"])).toBeUndefined();
    expect(lines.text).toBe(appended);
  });

  test("refuses a block scalar in an item, and leaves a raw with a flow collection or an anchor to appendSeqItems", () => {
    expect(LineList.of(text.replace("method: GET", "method: |\n          GET"), HTTP)).toBeUndefined();
    const lines = http(text);
    expect(lines.append(["url: https://e.corp\nheaders: {X-Token: e}"])).toBeUndefined();
    expect(lines.append(["url: &e https://e.corp\nmethod: GET"])).toBeUndefined();
    expect(lines.text).toBe(text);
  });
});
