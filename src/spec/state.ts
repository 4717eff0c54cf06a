import { z } from "zod";
import { ReactionSchema } from "./github.js";

/** Human decisions and settled facts, kept in the App's dashboard comment (GitHub is the state). */

const actor = z.object({ by: z.string(), at: z.number() });

/** One reading of an http check, kept because GitHub does not keep it for us. */
export const observation = z.object({
  at: z.number(),
  state: z.enum(["success", "pending", "failure"]),
  detail: z.string(),
});

export const stepRecord = z.object({
  /** The merged PR and its merge commit, once seen merged (immutable on GitHub). */
  pr: z.number().optional(),
  mergeSha: z.string().optional(),
  mergedAt: z.number().optional(),
  /** The step's changes were already on the default branch: no PR; its gate is read on this commit. */
  noDiff: z.object({ sha: z.string(), at: z.number() }).optional(),
  /** A `/handover retry` restarts the gate's window here. */
  windowStart: z.number().optional(),
  gatePassedAt: z.number().optional(),
  skipped: actor.optional(),
  /** `/handover approve` for a step handover.yml holds for approval. */
  approved: actor.optional(),
  failed: z.object({ reason: z.string(), at: z.number() }).optional(),
  /**
   * PRs of the step's branch that merged without its changes (retargeted elsewhere, merged empty): the step opened
   * again after each, until `STRAY_LIMIT` of them (`/handover retry` clears them).
   */
  stray: z.array(z.number()).optional(),
  /** Results of the http checks, which GitHub does not keep for us (transitions only). */
  probes: z.record(z.string(), z.array(observation)).optional(),
  /** Reopen a PR closed without merging (set by retry). */
  reopen: z.boolean().optional(),
  /**
   * GitHub's auto-merge asked for once on this PR (never again, even when a person turns it off): the method it merges
   * with, `clean` when the PR could merge at once (GitHub refuses auto-merge then, so Handover merges it itself),
   * `merged` once Handover did, `queued` with the head Handover added to the merge queue instead (a base that takes no
   * direct merge), or why GitHub refused.
   */
  autoMerge: z
    .object({
      pr: z.number(),
      at: z.number(),
      method: z.string().optional(),
      clean: z.boolean().optional(),
      merged: z.boolean().optional(),
      queued: z.string().optional(),
      refused: z.string().optional(),
    })
    .optional(),
  /** The soak this step's gate started with: a later issue edit does not shorten (or lengthen) a running gate. */
  soak: z.string().optional(),
  /**
   * The first step's PR and what it was opened for. Its body says so too, signed, in case this record is lost; this
   * record stands when a person rewrote the body.
   */
  opened: z.object({ pr: z.number(), source: z.string(), target: z.string(), version: z.string() }).optional(),
});
export type StepRecord = z.infer<typeof stepRecord>;

export const auditEntry = z.object({
  at: z.number(),
  user: z.string(),
  command: z.string(),
  result: z.enum(["applied", "recorded", "refused", "unknown", "invalid"]),
  note: z.string(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

export const hiddenState = z.object({
  v: z.literal(1),
  /** The default-branch commit the migration was planned on. */
  base: z.string().nullable(),
  handled: z.array(z.number()),
  /** Comment ids at or below this were handled before `handled` was trimmed. */
  handledBelow: z.number().default(0),
  paused: actor.nullable(),
  aborted: actor.extend({ reason: z.string() }).nullable(),
  decommission: actor.nullable(),
  steps: z.record(z.string(), stepRecord),
  audit: z.array(auditEntry),
  /** A `/handover rollback` in progress: a revert PR of the last merged step, checked and gated like a step. */
  rollback: z
    .object({
      step: z.string(),
      attempt: z.number(),
      by: z.string(),
      at: z.number(),
      pr: z.number().optional(),
      mergeSha: z.string().optional(),
      mergedAt: z.number().optional(),
      failed: z.object({ reason: z.string(), at: z.number() }).optional(),
      /** Results of the revert gate's http checks, as a step keeps its own (`probes`). */
      probes: z.record(z.string(), z.array(observation)).optional(),
    })
    .nullable()
    .default(null),
  /** Merged step PRs whose changes were rolled back: the step is not done any more, and is opened again. */
  undone: z.array(z.number()).default([]),
  /** How many times each step was rolled back (names each rollback branch uniquely). */
  rollbacks: z.record(z.string(), z.number()).default({}),
  /** Reactions and replies owed for handled commands, kept until sent (sending is idempotent, so a retry is safe). */
  outbox: z
    .array(
      z.object({
        commentId: z.number(),
        on: z.number(),
        reaction: ReactionSchema,
        reply: z.string().optional(),
      }),
    )
    .default([]),
  /** When a state that failed its signature was ignored and rebuilt from GitHub (shown on the dashboard). */
  tampered: z.object({ at: z.number() }).nullable().default(null),
  /** What the issue asked for when the first step merged: later edits of these fields are ignored (soak excepted). */
  frozen: z
    .object({
      source: z.string(),
      target: z.string(),
      version: z.string(),
      groups: z.array(z.object({ name: z.string(), items: z.array(z.string()), line: z.number() })).nullable(),
    })
    .nullable()
    .default(null),
  /** A GitHub error retrying cannot fix (or a bug): nothing more is done until `/handover retry`. */
  blocked: z
    .object({
      at: z.number(),
      /** The error's class (github/errors.ts): `bug` when it had no HTTP status. */
      kind: z.string(),
      status: z.number().optional(),
      /** `METHOD /path` of the request GitHub refused. */
      request: z.string().optional(),
      message: z.string(),
    })
    .nullable()
    .default(null),
});
export type HiddenState = z.infer<typeof hiddenState>;
export type ProbeObservation = z.infer<typeof observation>;
