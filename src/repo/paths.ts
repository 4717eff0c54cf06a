import { posix } from "node:path";
import { isRepoPath, normalizeRepoPath } from "../spec/config.js";
import { show } from "../spec/problems.js";

/** Normal form for comparing URLs: lower-case scheme and host, no trailing slash. */
export function normalizeUrl(url: string): string {
  const trimmed = url.trim();
  try {
    const parsed = new URL(trimmed);
    const path = parsed.pathname.replace(/\/+$/, "");
    return `${parsed.protocol}//${parsed.host}${path}${parsed.search}`.toLowerCase();
  } catch {
    return trimmed.replace(/\/+$/, "").toLowerCase();
  }
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
