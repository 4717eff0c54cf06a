import { z } from "zod";

export const VERBS = [
  "help",
  "status",
  "pause",
  "resume",
  "retry",
  "skip",
  "abort",
  "rollback",
  "decommission",
  "approve",
] as const;
export const VerbSchema = z.enum(VERBS);
export type Verb = z.infer<typeof VerbSchema>;

/** Verbs that need `commands.elevated` instead of `commands.permission`. */
export const ELEVATED_VERBS: readonly Verb[] = ["skip", "rollback", "decommission", "approve"];

/** A step id as it appears in branch names and the dashboard (e.g. `release-canary`). */
export const STEP_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,60}$/;
export const StepIdSchema = z.string().regex(STEP_ID_PATTERN);

export const CommandSchema = z.object({
  verb: VerbSchema,
  step: StepIdSchema.optional(),
  reason: z.string().min(1).optional(),
  /** The command line as written, trimmed: quoted back in replies and the audit log. */
  line: z.string(),
});
export type Command = z.infer<typeof CommandSchema>;

/** What may follow a verb: nothing, an optional step id, or an optional `-- reason`. */
export type ArgumentForm = "none" | "step" | "reason";

export interface VerbInfo {
  form: ArgumentForm;
  usage: string;
  does: string;
}

export const VERB_INFO: Record<Verb, VerbInfo> = {
  help: { form: "none", usage: "/handover help", does: "Reply with this table." },
  status: { form: "none", usage: "/handover status", does: "Re-check every gate now and refresh the dashboard." },
  pause: { form: "none", usage: "/handover pause", does: "Stop opening and advancing steps until `resume`." },
  resume: { form: "none", usage: "/handover resume", does: "Continue a paused migration from where it stopped." },
  retry: {
    form: "step",
    usage: "/handover retry [step]",
    does: "Start the failed (or named) step's health gate again from now; earlier results are ignored.",
  },
  skip: {
    form: "step",
    usage: "/handover skip [step]",
    does: "Treat the current (or named) step's gate as passed and go on with the next step.",
  },
  abort: {
    form: "reason",
    usage: "/handover abort [-- reason]",
    does: "Stop the migration: close the open step PR with a comment and delete its branch.",
  },
  rollback: {
    form: "none",
    usage: "/handover rollback",
    does: "Open a revert PR for the last merged step; it goes through the guard and a gate like any step.",
  },
  decommission: {
    form: "none",
    usage: "/handover decommission",
    does: "Approve the last step, which deletes the source cluster's files, once every adopt gate passed.",
  },
  approve: {
    form: "step",
    usage: "/handover approve [step]",
    does: "Let the waiting (or named) step open: handover.yml's `approve` holds those steps after the previous gate.",
  },
};
