// Git-style unified diff of one file, for PR bodies and `plan` output.
import { formatPatch, structuredPatch } from "diff";

/** Unified diff with a/PATH b/PATH headers (/dev/null for a created or deleted file); "" when equal. */
export function unifiedDiff(path: string, before: string | null, after: string | null): string {
  if (before === after) return "";
  const oldName = before === null ? "/dev/null" : `a/${path}`;
  const newName = after === null ? "/dev/null" : `b/${path}`;
  const patch = structuredPatch(oldName, newName, before ?? "", after ?? "", undefined, undefined, { context: 3 });
  return formatPatch({ ...patch, isGit: true, isCreate: before === null, isDelete: after === null });
}
