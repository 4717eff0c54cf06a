import { describe, expect, it } from "vitest";
import { decide } from "../../../src/engine/decide.js";
import { FirstSeen } from "../../../src/spec/lru.js";
import type { Violation } from "../../../src/spec/violation.js";
import { HEAD, changesOf, doneBefore, hiddenWith, prOf, pull, snapshot, step } from "./helpers.js";

// release-canary's PR is open and no longer merges: the default branch moved under it.
const AT_RC = hiddenWith({ steps: doneBefore("release-canary") });
const CONFLICTED = pull("release-canary", { mergeable: false, headSha: "botcommit" });
// The repo requires branches to be up to date before merging, and the default branch moved: GitHub says `behind`.
const BEHIND = pull("release-canary", { mergeable: true, mergeableState: "behind", headSha: "botcommit" });

describe("decide: Handover's own step PR conflicts with a moved default branch, or is behind one it must be up to date with", () => {
  it.each([
    ["conflicts", CONFLICTED, false],
    ["is behind (GitHub's auto-merge would wait for ever)", BEHIND, true],
  ])("bot-only branch with changes on the new head that %s: refresh (re-plan on the head)", (_why, pr, behind) => {
    const changes = changesOf("release-canary");
    const decision = decide(
      snapshot(AT_RC, { "release-canary": { pr, behind, humanCommits: false, changes, violations: [] } }),
    );
    expect(decision.actions).toEqual([
      {
        kind: "refresh",
        step: step("release-canary"),
        pr: prOf("release-canary"),
        headSha: "botcommit",
        changes,
        baseSha: HEAD,
      },
    ]);
    expect(decision.phase).toStrictEqual({
      label: "handover:running",
      current: "release-canary",
      reason: { kind: "refreshing", pr: prOf("release-canary") },
    });
    expect(decision.again).toBe(true);
  });

  it("people pushed to the branch: never touched, paused with what to do", () => {
    const decision = decide(snapshot(AT_RC, { "release-canary": { pr: CONFLICTED, humanCommits: true } }));
    expect(decision.actions).toEqual([]);
    expect(decision.phase).toEqual({
      label: "handover:paused",
      current: "release-canary",
      reason: { kind: "conflict-with-people", pr: prOf("release-canary") },
    });
  });

  it("the re-planned step would break the invariant: nothing is pushed", () => {
    const violations: Violation[] = [
      {
        rule: "shared-backend",
        message: "backend m is referenced by a and b",
        clusters: ["a", "b"],
        subject: "m",
        files: [],
      },
    ];
    const decision = decide(
      snapshot(AT_RC, {
        "release-canary": { pr: CONFLICTED, humanCommits: false, changes: changesOf("release-canary"), violations },
      }),
    );
    expect(decision.actions).toEqual([]);
    expect(decision.phase.label).toBe("handover:failed");
    expect(decision.phase.reason).toStrictEqual({
      kind: "step-violations",
      violations: ["backend m is referenced by a and b"],
    });
  });

  it("mergeable still being computed (null): no refresh, waiting for review, looked at again in a minute", () => {
    const decision = decide(
      snapshot(AT_RC, { "release-canary": { pr: pull("release-canary", { mergeable: null }), humanCommits: false } }),
    );
    expect(decision.actions).toEqual([]);
    expect(decision.phase.label).toBe("handover:running");
    expect(decision.recheckAt).toBe(snapshot(AT_RC).now + 60_000);
    // A branch with people's commits is theirs: no re-plan to look again for.
    const theirs = decide(
      snapshot(AT_RC, { "release-canary": { pr: pull("release-canary", { mergeable: null }), humanCommits: true } }),
    );
    expect(theirs.recheckAt).toBeUndefined();
  });

  it.each([
    ["first seen now", 0, 1],
    ["unknown for 30 seconds", 0.5, 1],
    ["unknown for 4 minutes", 4, 4],
    ["unknown for an hour", 60, 10],
  ])(
    "mergeable null, %s: looked at again after as long as GitHub has taken so far, 1 to 10 minutes",
    (_, for_, after) => {
      const now = snapshot(AT_RC).now;
      const view = { pr: pull("release-canary", { mergeable: null }), mergeableUnknownSince: now - for_ * 60_000 };
      expect(decide(snapshot(AT_RC, { "release-canary": view })).recheckAt).toBe(now + after * 60_000);
    },
  );
});

describe("decide: Handover's step PR behind a moved default branch the repo requires it to be up to date with", () => {
  it("people pushed to the branch: left to them, still in review (GitHub offers them Update branch), not paused", () => {
    const decision = decide(snapshot(AT_RC, { "release-canary": { pr: BEHIND, behind: true, humanCommits: true } }));
    expect(decision.actions).toEqual([]);
    expect(decision.phase).toEqual({
      label: "handover:running",
      current: "release-canary",
      reason: { kind: "review", pr: prOf("release-canary"), draft: false, peopleCommits: true, behind: true },
    });
  });

  it("GitHub's `behind` alone is not enough: observe says whether it is behind the default branch (not a retarget)", () => {
    const changes = changesOf("release-canary");
    const decision = decide(snapshot(AT_RC, { "release-canary": { pr: BEHIND, humanCommits: false, changes } }));
    expect(decision.actions).toEqual([]);
    expect(decision.phase.reason.kind).toBe("review");
  });
});

describe("FirstSeen: since when this process has seen something (here: an open PR's mergeability unknown)", () => {
  it("is the first time this process saw it, per PR, head and base; a clock that went back starts it again", () => {
    const seen = new FirstSeen(10);
    const firstSeen = (key: string, now: number) => seen.since(key, now);
    const key = "acme/config#7@head1...base1";
    expect(firstSeen(key, 1_000)).toBe(1_000);
    expect(firstSeen(key, 61_000)).toBe(1_000);
    expect(firstSeen("acme/config#7@head2...base1", 61_000)).toBe(61_000);
    expect(firstSeen("acme/config#7@head1...base2", 61_000)).toBe(61_000);
    expect(firstSeen(key, 500)).toBe(500);
    expect(firstSeen(key, 70_000)).toBe(500);
  });
});
