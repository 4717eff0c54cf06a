/**
 * Every name and hidden marker Handover writes to GitHub and reads back. They are part of the contract: a migration
 * started by one version is continued by the next, so changing one of these strands running migrations.
 */

/** The label that makes an issue a migration issue (and marks step PRs). */
export const MIGRATION_LABEL = "handover";

/** The status labels of a migration issue; exactly one is on the issue at a time. */
export const STATUS_LABELS = [
  "handover:running",
  "handover:waiting",
  "handover:paused",
  "handover:failed",
  "handover:done",
  "handover:aborted",
] as const;
export type StatusLabel = (typeof STATUS_LABELS)[number];

/** The branch of a step PR (deterministic, so creating it twice finds the first). */
export function stepBranch(issue: number, stepId: string): string {
  return `handover/${issue}/${stepId}`;
}

const STEP_BRANCH = /^handover\/(\d+)\/[a-z0-9-]+$/;

/** The migration issue a step branch belongs to. */
export function issueOfBranch(ref: string): number | undefined {
  const match = STEP_BRANCH.exec(ref);
  return match?.[1] ? Number(match[1]) : undefined;
}

/** GitHub refuses a pull request title over 256 characters (a large group names many backends). */
export const TITLE_MAX = 256;

/** The title of a step PR, cut to GitHub's limit. */
export function stepTitle(issue: number, summary: string): string {
  const title = `[handover #${issue}] ${summary}`;
  return title.length > TITLE_MAX ? `${title.slice(0, TITLE_MAX - 1)}…` : title;
}

const STEP_TITLE = /^\[handover #(\d+)\] /;

/** The migration issue a step PR's title names (`stepTitle`), if it still does. */
export function issueOfTitle(title: string | undefined): number | undefined {
  const match = STEP_TITLE.exec(title ?? "");
  return match?.[1] ? Number(match[1]) : undefined;
}

/** The step id of the `attempt`-th rollback of a step (its branch is `stepBranch(issue, id)`). */
export function rollbackStepId(stepId: string, attempt: number): string {
  return `rollback-${stepId}-${attempt}`;
}

/** The step a rollback step id reverts. */
export function stepOfRollback(stepId: string): string | undefined {
  return /^rollback-(.+)-\d+$/.exec(stepId)?.[1];
}

/** The first line of a step PR body: which migration issue and step it belongs to. */
export function stepMarker(issue: number, stepId: string): string {
  return `<!-- handover:step issue=${issue} step=${stepId} -->`;
}

const STEP_MARKER = /<!-- handover:step issue=(\d+) step=([a-z0-9-]+) -->/;

/** The migration issue and step a Handover PR body belongs to. */
export function readStepMarker(body: string | null | undefined): { issue: number; step: string } | undefined {
  const match = STEP_MARKER.exec(body ?? "");
  return match?.[1] && match[2] ? { issue: Number(match[1]), step: match[2] } : undefined;
}

/**
 * In the first step's PR body: what it was opened for (`payload`, base64) and an HMAC-SHA256 only the App can make
 * (`mac`, hex). Opened with the PR in one request, it outlives a state write that failed.
 */
export function openedForBlock(payload: string, mac: string): string {
  return `<!-- handover:opened-for ${payload} ${mac} -->`;
}

const OPENED_FOR = /<!-- handover:opened-for ([A-Za-z0-9+/=]+) ([0-9a-f]{64}) -->/;

/** The payload and signature of a PR body's opened-for block, unverified. */
export function readOpenedForBlock(body: string): { payload: string; mac: string } | undefined {
  const match = OPENED_FOR.exec(body);
  return match?.[1] && match[2] ? { payload: match[1], mac: match[2] } : undefined;
}

const NOTE_START = "<!-- handover:note -->";
const NOTE_END = "<!-- /handover:note -->";

/** The marker lines a step PR's body starts with (DESIGN: the step marker first; the first step's opened-for block). */
const LEADING_MARKERS = /^(?:<!-- handover:(?:step|opened-for) [^\n]*-->\n)*/;

/**
 * A PR body with Handover's note (`note`) right after the markers it starts with, or without it (undefined); the rest
 * of the body as it is, with whatever a person wrote there. The note sits between two markers of its own, so it is
 * replaced or taken out whole, and the body still starts with the step marker.
 */
export function withPullNote(body: string, note: string | undefined): string {
  const start = body.indexOf(NOTE_START);
  const end = start >= 0 ? body.indexOf(NOTE_END, start) : -1;
  const rest = end >= 0 ? body.slice(0, start) + body.slice(end + NOTE_END.length).replace(/^\n+/, "") : body;
  if (note === undefined) return rest;
  const markers = LEADING_MARKERS.exec(rest)?.[0] ?? "";
  return `${markers}${NOTE_START}\n${note}\n${NOTE_END}\n\n${rest.slice(markers.length)}`;
}

/** The first line of the dashboard comment (trusted only when the App itself wrote the comment). */
export const DASHBOARD_MARKER = "<!-- handover:dashboard -->";

/**
 * The hidden state block, the dashboard body's last line; `payload` is base64, so no value can end the comment, and
 * `mac` (hex HMAC-SHA256) authenticates it.
 */
export function stateBlock(payload: string, mac?: string): string {
  return `<!-- handover:state ${payload}${mac ? ` ${mac}` : ""} -->`;
}

/** Only the body's last line counts: user text rendered above it (the audit log) can never stand in for it. */
const STATE_BLOCK = /(?:^|\n)<!-- handover:state ([A-Za-z0-9+/=]+)(?: ([0-9a-f]{64}))? -->\s*$/;

/** The payload of a body's state block. */
export function readStateBlock(body: string): string | undefined {
  return STATE_BLOCK.exec(body)?.[1] || undefined;
}

/** The payload and signature of a body's state block; `found` tells a broken block from none at all. */
export function readSignedStateBlock(body: string): { payload?: string; mac?: string; found: boolean } {
  const match = STATE_BLOCK.exec(body);
  if (!match?.[1]) return { found: body.includes("<!-- handover:state ") };
  return { payload: match[1], found: true, ...(match[2] ? { mac: match[2] } : {}) };
}

/** Hidden in every reply: which command comment it answers. */
export function replyMarker(commentId: number): string {
  return `<!-- handover:reply-to=${commentId} -->`;
}
