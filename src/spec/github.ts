/** GitHub objects as the engine reads them: plain data, shared by the port and the pure engine. */

export interface CommentInfo {
  id: number;
  body: string;
  author: string;
  authorIsBot: boolean;
  createdAt: number;
  edited: boolean;
}

export interface PullInfo {
  number: number;
  state: "open" | "closed";
  merged: boolean;
  mergedAt: number | null;
  mergeCommitSha: string | null;
  headRef: string;
  headSha: string;
  body: string;
  draft: boolean;
  url: string;
  /** GitHub's answer: null while it is still computing (ask again later). */
  mergeable: boolean | null;
}

export type Reaction = "eyes" | "rocket" | "-1" | "confused" | "+1";
