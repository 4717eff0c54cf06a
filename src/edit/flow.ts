// Flow collections (`[a, b]`, `{a: 1}`): a one-line collection is rebuilt, a multi-line one is spliced so its
// line breaks and the comments between its entries stay where they are.
import { isDeepStrictEqual } from "node:util";
import { isMap, isSeq, parseDocument } from "yaml";
import type { CST, YAMLMap, YAMLSeq } from "yaml";
import { contentEnd, propsStart } from "./locate.js";
import {
  eolOf,
  insertLinesEdit,
  lineEnd,
  lineStart,
  mergeRanges,
  splitLines,
  startsLine,
  type TextEdit,
} from "./text.js";

type Flow = YAMLMap<unknown, unknown> | YAMLSeq<unknown>;

/** True when the flow collection spans more than one line. */
export function multiLine(text: string, flow: Flow): boolean {
  const [start, end] = flow.range ?? [0, 0];
  return text.slice(start, end).includes("\n");
}

/** True when a comment stands anywhere inside the flow collection's brackets (one after them does not count). */
export function holdsComment(flow: Flow): boolean {
  const token = flow.srcToken as CST.FlowCollection | undefined;
  if (token?.type !== "flow-collection") return false;
  const close = token.end.findIndex((t) => t.type === "flow-seq-end" || t.type === "flow-map-end");
  return anyComment(token.items) || anyComment(token.end.slice(0, close < 0 ? token.end.length : close));
}

function anyComment(token: unknown): boolean {
  if (Array.isArray(token)) return token.some(anyComment);
  if (!token || typeof token !== "object") return false;
  if ((token as { type?: unknown }).type === "comment") return true;
  return Object.values(token).some((v) => typeof v === "object" && anyComment(v));
}

/** Offset after the entry and the `,` that follows it (spaces before the comma included). */
function afterSeparator(text: string, end: number): { at: number; comma: boolean } {
  const m = /^[ \t]*,/.exec(text.slice(end));
  return m ? { at: end + m[0].length, comma: true } : { at: end, comma: false };
}

/** Only spaces and maybe a comment up to the end of the line. */
function restOfLineEmpty(text: string, at: number): boolean {
  return /^[ \t]*(#[^\r\n]*)?(\r?\n|$)/.test(text.slice(at));
}

const sameLine = (text: string, a: number, b: number) => !text.slice(Math.min(a, b), Math.max(a, b)).includes("\n");

/**
 * The comma before each entry after the first when the collection is written comma-first (`[ a\n  , b\n  , c ]`:
 * every later entry starts its line after a `,`, and no comma follows an entry); undefined for any other layout.
 */
function leadingCommas(text: string, items: readonly unknown[]): number[] | undefined {
  if (items.length < 2) return undefined;
  const commas: number[] = [];
  for (const [i, item] of items.entries()) {
    if (afterSeparator(text, contentEnd(text, item)).comma) return undefined;
    if (i === 0) continue;
    const start = propsStart(text, item);
    const before = /^[ \t]*,[ \t]*$/.exec(text.slice(lineStart(text, start), start));
    if (!before) return undefined;
    commas.push(lineStart(text, start) + before[0].indexOf(","));
  }
  return commas;
}

/**
 * Removal in a comma-first collection: a later entry goes with its comma (its whole line when nothing else is on
 * it; the closing bracket after the last one moves up behind the entry before); the first entry goes with the
 * next kept entry's comma, which then follows the bracket. Text holding a comment is never taken out.
 */
function commaFirstRemoval(text: string, items: readonly unknown[], drop: readonly boolean[], commas: number[]) {
  const free = (a: number, b: number) => !text.slice(a, b).includes("#");
  const keptAfter = items.findIndex((_, j) => !drop[j]);
  return items.flatMap((item, i): [number, number][] => {
    if (!drop[i]) return [];
    const start = propsStart(text, item);
    const end = contentEnd(text, item);
    if (i === 0) {
      const next = keptAfter < 0 ? undefined : propsStart(text, items[keptAfter]);
      if (next !== undefined && free(end, next)) return [[start, next]];
      const last = contentEnd(text, items[items.length - 1]);
      if (next === undefined && free(end, last)) return [[start, last]];
      const comma = next === undefined ? undefined : commas[keptAfter - 1];
      return comma === undefined
        ? [[start, end]]
        : [
            [start, end],
            [comma, next ?? comma],
          ];
    }
    const comma = commas[i - 1] ?? start;
    if (/^(\r?\n|$)/.test(text.slice(end).replace(/^[ \t]+/, "")))
      return [[lineStart(text, start), lineEnd(text, end)]];
    const prev = items.slice(0, i).findLastIndex((_, j) => !drop[j]);
    const prevEnd = prev < 0 ? undefined : contentEnd(text, items[prev]);
    const bracket = /^[ \t]*[\]}]/.test(text.slice(end));
    if (prevEnd !== undefined && bracket && free(prevEnd, comma)) return [[prevEnd, end]];
    return [[comma, end]];
  });
}

/** Edits removing the entries of a multi-line flow collection for which drop is true. */
export function spliceFlowRemoval(text: string, flow: Flow, drop: readonly boolean[]): TextEdit[] {
  const items = flow.items as unknown[];
  const commas = leadingCommas(text, items);
  if (commas)
    return mergeRanges(commaFirstRemoval(text, items, drop, commas)).map(([start, end]) => ({
      start,
      end,
      insert: "",
    }));
  const kept = (from: number, step: 1 | -1): unknown => {
    for (let j = from + step; j >= 0 && j < items.length; j += step) if (!drop[j]) return items[j];
    return undefined;
  };
  const ranges: [number, number][] = items.flatMap((item, i): [number, number][] => {
    if (!drop[i]) return [];
    const start = propsStart(text, item);
    const end = contentEnd(text, item);
    const sep = afterSeparator(text, end);
    // Its comma on a later line (`a\n# note\n, b`): the comma goes with it, the lines between stay.
    const later = sep.comma ? null : /^(?:[ \t\r\n]|#[^\n]*)*\n[ \t]*,[ \t]*/.exec(text.slice(end));
    if (later) {
      const comma = end + later[0].lastIndexOf(",");
      const own = startsLine(text, start) && restOfLineEmpty(text, end);
      return [own ? [lineStart(text, start), lineEnd(text, end)] : [start, end], [comma, end + later[0].length]];
    }
    if (startsLine(text, start) && restOfLineEmpty(text, sep.at))
      return [[lineStart(text, start), lineEnd(text, sep.at)]];
    const next = kept(i, 1);
    if (next !== undefined && sameLine(text, sep.at, propsStart(text, next))) return [[start, propsStart(text, next)]];
    const prev = kept(i, -1);
    if (prev !== undefined && sameLine(text, contentEnd(text, prev), start)) return [[contentEnd(text, prev), end]];
    const spaces = /^[ \t]*/.exec(text.slice(sep.at))?.[0].length ?? 0;
    const eatSpaces = text[sep.at + spaces] !== "#";
    return [[start, sep.at + (eatSpaces ? spaces : 0)]];
  });
  return mergeRanges(ranges).map(([start, end]) => ({ start, end, insert: "" }));
}

/**
 * Edits appending one-line entries to a non-empty multi-line flow collection whose last entry starts its own line:
 * each new entry goes on a line of its own at the same indentation; undefined when the layout is not like that.
 */
export function spliceFlowAppend(text: string, flow: Flow, entries: readonly string[]): TextEdit[] | undefined {
  const last = flow.items[flow.items.length - 1];
  if (last === undefined || !multiLine(text, flow)) return undefined;
  const start = propsStart(text, last);
  const end = contentEnd(text, last);
  // Comma-first (`[ a\n  , b ]`): each new entry on a line of its own after a comma, like the entries before it.
  if (leadingCommas(text, flow.items) && /^[ \t]*([\]}][ \t]*)?(\r?\n|$)/.test(text.slice(end))) {
    const prefix = text.slice(lineStart(text, start), start);
    return [{ start: end, end, insert: entries.map((e) => `${eolOf(text)}${prefix}${e}`).join("") }];
  }
  const sep = afterSeparator(text, end);
  if (!startsLine(text, start) || !restOfLineEmpty(text, sep.at)) return undefined;
  const indent = text.slice(lineStart(text, start), start);
  const lines = entries.map((e, i) => `${indent}${e}${sep.comma || i < entries.length - 1 ? "," : ""}`);
  const edits: TextEdit[] = [insertLinesEdit(text, lineEnd(text, sep.at), lines, eolOf(text))];
  if (!sep.comma) edits.push({ start: end, end, insert: "," });
  return edits;
}

/**
 * True when raw (one line) reads inside brackets as the one entry it is on its own: `a, b` is two items in a flow
 * list, and `x: 1` a pair, so such raw items need a block list.
 */
export function readsSameInFlow(raw: string, kind: "seq" | "map"): boolean {
  const source = raw.trim();
  if (/[\r\n]/.test(source)) return false;
  const alone = parseDocument(source);
  const inside = parseDocument(kind === "seq" ? `[${source}]` : `{${source}}`);
  if (alone.errors.length || inside.errors.length) return false;
  const c = inside.contents;
  if (kind === "seq" ? !isSeq(c) || c.items.length !== 1 : !isMap(c) || c.items.length !== 1) return false;
  try {
    const value = alone.toJS();
    return isDeepStrictEqual(kind === "seq" ? [value] : value, inside.toJS());
  } catch {
    // An alias to an anchor outside the item: the same text means the same node in either place.
    return true;
  }
}

/**
 * A flow pair (`{k: v}`, `[k: v]`) written as a block entry: `key: value`, or `? key` then `: value` when the key
 * spans lines. Lines after the first of a key or value that spans lines (a folded scalar, a nested flow
 * collection) are indented two spaces, their own leading spaces aside: inside a flow collection those never count.
 */
export function blockPair(text: string, pair: { key: unknown; value: unknown }): string {
  const part = (node: unknown) => {
    const [first = "", ...rest] = node ? splitLines(text.slice(propsStart(text, node), contentEnd(text, node))) : [];
    return [first, ...rest.map((l) => (l.trim() === "" ? "" : `  ${l.trimStart()}`))].join("\n");
  };
  const key = part(pair.key);
  const value = part(pair.value);
  const sep = value === "" ? ":" : `: ${value}`;
  return key.includes("\n") ? `? ${key}\n${sep}` : `${key}${sep}`;
}
