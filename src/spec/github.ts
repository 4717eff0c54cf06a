import { z } from "zod";

/** GitHub objects as the engine reads them: plain data, shared by the port and the pure engine. */

/** A person's permission on a repository, weakest first (`none`: no access). */
export const PERMISSIONS = ["none", "read", "triage", "write", "maintain", "admin"] as const;
export const PermissionSchema = z.enum(PERMISSIONS);
export type Permission = z.infer<typeof PermissionSchema>;

/** The reactions Handover leaves on a command comment. */
export const REACTIONS = ["eyes", "rocket", "-1", "confused", "+1"] as const;
export const ReactionSchema = z.enum(REACTIONS);
export type Reaction = z.infer<typeof ReactionSchema>;

export interface CommentInfo {
  id: number;
  body: string;
  author: string;
  authorIsBot: boolean;
  createdAt: number;
  edited: boolean;
  /** How many reactions it has, from anyone (GitHub's `reactions.total_count`); absent when not known. */
  reactions?: number;
}

export interface PullInfo {
  number: number;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: number | null;
  mergeCommitSha: string | null;
  headRef: string;
  headSha: string;
  /** The branch it merges into (a step PR retargeted elsewhere does not count). */
  baseRef: string;
  /** Who opened it (a step PR a person opened in advance is not Handover's). */
  author: string;
  body: string;
  draft: boolean;
  url: string;
  /** GitHub's answer: null while it is still computing (ask again later). */
  mergeable: boolean | null;
  /** GitHub's `mergeable_state` (only a single PR's answer has it): `clean` when nothing is left to wait for. */
  mergeableState?: string;
  /** The GraphQL id (enablePullRequestAutoMerge takes it). */
  nodeId?: string;
  /** When it was opened (epoch ms), when GitHub's answer says. */
  createdAt?: number;
  /** GitHub's auto-merge is on: it merges by itself once reviews and required checks pass (absent: off). */
  autoMerge?: { method: string; enabledBy: string };
}
