import { posix } from "node:path";
import { isRepoPath, normalizeRepoPath } from "../spec/config.js";
import { TextMemo } from "../spec/memo.js";
import { show } from "../spec/problems.js";

/** Normal form for comparing URLs: lower-case scheme and host, no trailing slash; path and query keep their case. */
export function normalizeUrl(url: string): string {
  let normal = normalUrls.get(url);
  if (normal === undefined) {
    normal = normalForm(url);
    normalUrls.set(url, normal);
  }
  return normal;
}

/**
 * The normal forms of the URLs seen last: every load of a tree reads each agent and discovery URL again (a plan loads
 * it after each step of its general path), and parsing a URL is most of the cost.
 */
const normalUrls = new TextMemo<string>(20_000, 2_000_000);

function normalForm(url: string): string {
  const trimmed = url.trim();
  try {
    const parsed = new URL(trimmed);
    const path = parsed.pathname.replace(/\/+$/, "");
    return `${parsed.protocol}//${parsed.host}${path}${parsed.search}`;
  } catch {
    return trimmed.replace(/\/+$/, "");
  }
}

/** A value with null entries and empty maps left out, keys sorted: `tls: {ca_cert: ~}` and no tls compare equal. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .map(([k, v]): [string, unknown] => [k, canonical(v)])
    .filter(
      ([, v]) => v !== null && v !== undefined && !(typeof v === "object" && Object.keys(v as object).length === 0),
    )
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

/** The identity of an http-era backend list item (a map with a url, as httpIdentity says), else undefined. */
export function endpointIdentity(item: unknown): string | undefined {
  const url = (item as { url?: unknown } | null)?.url;
  return typeof url === "string" ? httpIdentity(item as { url: string }) : undefined;
}

/**
 * An http discovery backend as Replicante compares them (`PartialEq for HttpConfig`: url, headers and tls; method,
 * body and timeout do not count). The url alone when there are no headers or tls.
 */
export function httpIdentity(spec: { url: string; headers?: unknown; tls?: unknown }): string {
  const rest = canonical({ headers: spec.headers ?? null, tls: spec.tls ?? null }) as Record<string, unknown>;
  const url = normalizeUrl(spec.url);
  return Object.keys(rest).length === 0 ? url : `${url} ${JSON.stringify(rest)}`;
}

/** Where a Core config path (relative to the working dir, or absolute through a mount) lives in the repo. */
export function resolveCorePath(
  entry: string,
  workdir: string,
  mounts: [string, string][],
): string | { error: string } {
  if (entry.startsWith("/")) {
    const mount = mounts.find(([abs]) => entry === abs || entry.startsWith(`${abs.replace(/\/+$/, "")}/`));
    if (!mount) return { error: `absolute path ${show(entry)} is under no entry of mounts` };
    const rest = entry.slice(mount[0].replace(/\/+$/, "").length).replace(/^\/+/, "");
    const joined = posix.join(mount[1], rest);
    return isRepoPath(joined) ? normalizeRepoPath(joined) : { error: `${show(entry)} leaves the repo` };
  }
  const joined = posix.join(workdir || ".", entry);
  return isRepoPath(joined) ? normalizeRepoPath(joined) : { error: `${show(entry)} leaves the repo` };
}
