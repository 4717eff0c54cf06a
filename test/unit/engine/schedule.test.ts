import { describe, expect, it } from "vitest";
import { decide } from "../../../src/engine/decide.js";
import {
  phaseHold,
  type Decision,
  type ScheduleHold,
  type Snapshot,
  type StepSchedule,
} from "../../../src/engine/types.js";
import { phaseWords } from "../../../src/render/phase.js";

const NEXT = "Nothing to do: it opens by itself then. `/handover pause` holds it longer.";
import { parseFreeze, parseWindow, type ChangeWindow, type DateFreeze } from "../../../src/schedule/index.js";
import {
  changesOf,
  doneBefore,
  GATES,
  HEAD,
  hiddenWith,
  mergedPull,
  MIN,
  NOW,
  passedRecord,
  pull,
  snapshot,
  step,
} from "./helpers.js";

// NOW is Wednesday 2024-05-01 12:00 UTC: 14:00 in Berlin (CEST).

function windows(...texts: string[]): ChangeWindow[] {
  return texts.map((t) => parseWindow(t) as ChangeWindow);
}

function freezes(...texts: string[]): DateFreeze[] {
  return texts.map((t) => parseFreeze(t) as DateFreeze);
}

/** release-canary ready to open (prepare passed), under a schedule. */
function readyToOpen(schedule: StepSchedule): Snapshot {
  const hidden = hiddenWith({ steps: doneBefore("release-canary") });
  return {
    ...snapshot(hidden, { "release-canary": { changes: changesOf("release-canary"), violations: [] } }),
    schedule,
  };
}

const OPEN: Decision = {
  hidden: hiddenWith({ steps: doneBefore("release-canary") }),
  again: true,
  actions: [
    {
      kind: "open",
      step: step("release-canary"),
      changes: changesOf("release-canary"),
      baseSha: HEAD,
      previousPr: 101,
    },
  ],
  phase: { label: "handover:running", current: "release-canary", reason: { kind: "opening" } },
};

/** The decision holding release-canary, and the headline the dashboard writes for it. */
function held(headline: string, hold: ScheduleHold, recheckAt?: number): Decision & { headline: string } {
  return {
    hidden: hiddenWith({ steps: doneBefore("release-canary") }),
    actions: [],
    again: false,
    phase: { label: "handover:waiting", current: "release-canary", reason: { kind: "held", hold } },
    ...(recheckAt !== undefined ? { recheckAt } : {}),
    headline,
  };
}

describe("decide under change windows and freezes", () => {
  it.each<{ name: string; schedule: StepSchedule; out: Decision & { headline?: string } }>([
    {
      name: "inside a window: the step opens",
      schedule: { windows: windows("Mon-Thu 09:00-16:00 Europe/Berlin"), freezes: [] },
      out: OPEN,
    },
    {
      name: "outside every window: waits, says when it opens (in the window's zone), re-checks then",
      schedule: { windows: windows("Mon-Thu 16:00-18:00 Europe/Berlin"), freezes: [] },
      out: held(
        "Outside the change windows (Mon-Thu 16:00-18:00 Europe/Berlin): release-canary opens at Wed 2024-05-01 16:00 Europe/Berlin (14:00 UTC).",
        {
          kind: "window",
          windows: ["Mon-Thu 16:00-18:00 Europe/Berlin"],
          until: NOW + 2 * 60 * MIN,
          zone: "Europe/Berlin",
        },
        NOW + 2 * 60 * MIN,
      ),
    },
    {
      name: "several windows: the earliest opening, in its own zone",
      schedule: { windows: windows("Mon-Fri 09:00-10:00 Asia/Tokyo", "Wed 13:00-14:00 UTC"), freezes: [] },
      out: held(
        "Outside the change windows (Mon-Fri 09:00-10:00 Asia/Tokyo; Wed 13:00-14:00 UTC): release-canary opens at Wed 2024-05-01 13:00 UTC.",
        {
          kind: "window",
          windows: ["Mon-Fri 09:00-10:00 Asia/Tokyo", "Wed 13:00-14:00 UTC"],
          until: NOW + 60 * MIN,
          zone: "UTC",
        },
        NOW + 60 * MIN,
      ),
    },
    {
      name: "a date freeze holds even inside a window; the opening is the first window after it",
      schedule: {
        windows: windows("Mon-Thu 09:00-16:00 Europe/Berlin"),
        freezes: freezes("2024-04-29..2024-05-03 Europe/Berlin"),
      },
      out: held(
        "Frozen (2024-04-29..2024-05-03 Europe/Berlin): release-canary opens at Mon 2024-05-06 09:00 Europe/Berlin (07:00 UTC).",
        {
          kind: "freeze",
          freeze: "2024-04-29..2024-05-03 Europe/Berlin",
          until: Date.parse("2024-05-06T07:00:00Z"),
          zone: "Europe/Berlin",
        },
        Date.parse("2024-05-06T07:00:00Z"),
      ),
    },
    {
      name: "a freeze without windows ends at its last day's local midnight",
      schedule: { windows: [], freezes: freezes("2024-04-29..2024-05-03 Europe/Berlin") },
      out: held(
        "Frozen (2024-04-29..2024-05-03 Europe/Berlin): release-canary opens at Sat 2024-05-04 00:00 Europe/Berlin (22:00 UTC 2024-05-03).",
        {
          kind: "freeze",
          freeze: "2024-04-29..2024-05-03 Europe/Berlin",
          until: Date.parse("2024-05-03T22:00:00Z"),
          zone: "Europe/Berlin",
        },
        Date.parse("2024-05-03T22:00:00Z"),
      ),
    },
    {
      name: "a freeze label on the issue holds until it is removed (no time to re-check: the unlabel event triggers)",
      schedule: { windows: windows("Mon-Thu 09:00-16:00 Europe/Berlin"), freezes: [], frozenByLabel: "freeze" },
      out: held("Frozen: release-canary opens once the label `freeze` is removed from this issue.", {
        kind: "label",
        label: "freeze",
      }),
    },
    {
      name: "a freeze that ended: opens",
      schedule: { windows: [], freezes: freezes("2024-04-20..2024-04-30 UTC") },
      out: OPEN,
    },
  ])("$name", ({ schedule, out: { headline, ...out } }) => {
    const decision = decide(readyToOpen(schedule));
    expect(decision).toStrictEqual(out);
    if (headline) expect(phaseWords(decision.phase)).toStrictEqual({ headline, next: NEXT });
  });

  const closed: StepSchedule = { windows: windows("Mon 09:00-10:00 UTC"), freezes: [] };

  it("an open step PR is not touched by a window: it is people's to merge", () => {
    const hidden = hiddenWith({ steps: doneBefore("release-canary") });
    const decision = decide({
      ...snapshot(hidden, { "release-canary": { pr: pull("release-canary") } }),
      schedule: closed,
    });
    expect([decision.phase.label, phaseHold(decision.phase), decision.actions]).toStrictEqual([
      "handover:running",
      undefined,
      [],
    ]);
  });

  it("a soak ending outside a window: the gate passes, and the next step waits for the window", () => {
    const hidden = hiddenWith({ steps: doneBefore("release-canary") });
    const passed = decide({
      ...snapshot(hidden, { "release-canary": { pr: mergedPull("release-canary"), gate: GATES.passed } }),
      schedule: closed,
    });
    expect(passed.hidden.steps["release-canary"]?.gatePassedAt).toBe(NOW - 5 * MIN);
    const next = decide({
      ...snapshot(passed.hidden, { "adopt-canary": { changes: changesOf("adopt-canary"), violations: [] } }),
      schedule: closed,
    });
    expect([next.actions, next.phase.current, phaseHold(next.phase)?.kind, next.recheckAt]).toStrictEqual([
      [],
      "adopt-canary",
      "window",
      Date.parse("2024-05-06T09:00:00Z"),
    ]);
  });

  it("a step already on the default branch opens nothing, so a window does not hold it", () => {
    const hidden = hiddenWith({ steps: doneBefore("release-canary") });
    const decision = decide({
      ...snapshot(hidden, { "release-canary": { changes: [], violations: [] } }),
      schedule: closed,
    });
    expect(decision.hidden.steps["release-canary"]).toStrictEqual({ noDiff: { sha: HEAD, at: NOW } });
  });

  it("decommission waits for a window too, once approved", () => {
    const steps = Object.fromEntries(
      ["prepare", "release-canary", "adopt-canary", "release-wave-1", "adopt-wave-1", "release-rest", "adopt-rest"].map(
        (id) => [id, passedRecord(id)],
      ),
    );
    const hidden = hiddenWith({ steps, decommission: { by: "erin", at: NOW - MIN } });
    const decision = decide({
      ...snapshot(hidden, { decommission: { changes: changesOf("decommission"), violations: [] } }),
      schedule: closed,
    });
    expect([decision.actions, decision.phase.current, phaseHold(decision.phase)?.kind]).toStrictEqual([
      [],
      "decommission",
      "window",
    ]);
  });
});
