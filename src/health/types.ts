import { z } from "zod";

/** One configured gate check, as written in `handover.yml` `health:`. */
export type CheckSpec =
  | { kind: "status"; pattern: string }
  | { kind: "deployment"; environment: string }
  | { kind: "http"; url: string; version?: boolean };

export const CHECK_STATES = ["success", "pending", "failure"] as const;
export type CheckState = (typeof CHECK_STATES)[number];

/** What one check looked like at one moment; `detail` is shown to operators as is. */
export interface Observation {
  at: number;
  state: CheckState;
  detail: string;
}

// GitHub-shaped inputs: only the fields the gate reads (extra fields are stripped by parse).
export const CommitStatusSchema = z.object({
  context: z.string(),
  state: z.enum(["pending", "success", "failure", "error"]),
  created_at: z.string(),
  description: z.string().nullish(),
});
export type CommitStatus = z.infer<typeof CommitStatusSchema>;

export const CheckRunSchema = z.object({
  name: z.string(),
  status: z.enum(["queued", "in_progress", "completed"]),
  conclusion: z.string().nullable(),
  started_at: z.string().nullable(),
  completed_at: z.string().nullable(),
});
export type CheckRun = z.infer<typeof CheckRunSchema>;

export const DeploymentSchema = z.object({
  id: z.number(),
  sha: z.string(),
  environment: z.string(),
  created_at: z.string(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const DeploymentStatusSchema = z.object({
  state: z.enum(["error", "failure", "inactive", "in_progress", "queued", "pending", "success"]),
  created_at: z.string(),
  description: z.string().nullish(),
});
export type DeploymentStatus = z.infer<typeof DeploymentStatusSchema>;

/**
 * When two reports for the same thing carry the same timestamp (GitHub has one-second
 * resolution), the more decisive one is taken as the later: a terminal state beats pending,
 * and failure beats success, so a same-second pending/success pair never stalls a gate.
 */
export const TIE_RANK: Record<CheckState, number> = { pending: 0, success: 1, failure: 2 };

/** ` (text)` when there is a non-empty description, else "". */
export function parenthesized(text: string | null | undefined): string {
  const trimmed = text?.trim();
  return trimmed ? ` (${trimmed})` : "";
}
