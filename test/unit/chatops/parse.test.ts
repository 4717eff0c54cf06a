import { describe, expect, it } from "vitest";
import { parseCommand, type ParseResult } from "../../../src/chatops/index.js";

const command = (line: string, verb: string, extra: { step?: string; reason?: string } = {}): ParseResult =>
  ({ kind: "command", command: { verb, ...extra, line } }) as ParseResult;

const cases: [name: string, body: string, want: ParseResult][] = [
  // every verb, bare
  ...["help", "status", "pause", "resume", "retry", "skip", "abort", "rollback", "decommission"].map(
    (verb): [string, string, ParseResult] => [`bare ${verb}`, `/handover ${verb}`, command(`/handover ${verb}`, verb)],
  ),
  ["/handover alone is help", "/handover", command("/handover", "help")],
  ["/handover alone with trailing spaces is help", "/handover   ", command("/handover", "help")],
  ["no command at all", "LGTM, merging", { kind: "none" }],
  ["empty body", "", { kind: "none" }],
  ["command must start the line", "please /handover pause", { kind: "none" }],
  ["/handoverx is not a command", "/handoverx pause", { kind: "none" }],
  ["/handover: is not a command", "/handover: pause", { kind: "none" }],
  [
    "/handoverx is skipped and a later command counts",
    "/handoverx pause\n/handover resume",
    command("/handover resume", "resume"),
  ],

  // case
  ["verb is case-insensitive", "/handover PAUSE", command("/handover PAUSE", "pause")],
  ["keyword is case-insensitive too", "/Handover Resume", command("/Handover Resume", "resume")],

  // whitespace and position
  ["up to 3 leading spaces", "   /handover pause", command("/handover pause", "pause")],
  ["4 leading spaces are indented code", "    /handover pause", { kind: "none" }],
  ["a leading tab is indented code", "\t/handover pause", { kind: "none" }],
  [
    "several spaces between words",
    "/handover   retry    adopt-canary  ",
    command("/handover   retry    adopt-canary", "retry", { step: "adopt-canary" }),
  ],
  ["CRLF line endings", "Thanks!\r\n/handover pause\r\nbye", command("/handover pause", "pause")],
  [
    "command in the middle of a comment",
    "The canary looks good.\n\n/handover resume\n\nThanks",
    command("/handover resume", "resume"),
  ],

  // first command only
  ["only the first command counts", "/handover pause\n/handover abort", command("/handover pause", "pause")],
  [
    "an invalid first command hides a valid second",
    "/handover pause now\n/handover pause",
    {
      kind: "invalid",
      line: "/handover pause now",
      message: "`/handover pause` takes no arguments; write `/handover pause`.",
    },
  ],
  [
    "an unknown first command hides a valid second",
    "/handover stop\n/handover pause",
    { kind: "unknown", line: "/handover stop", word: "stop" },
  ],

  // quotes
  ["quoted line is ignored", "> /handover abort", { kind: "none" }],
  ["indented quote is ignored", "  > /handover abort", { kind: "none" }],
  [
    "quote, then a real command",
    "> /handover abort\n\nNo, rather:\n/handover pause",
    command("/handover pause", "pause"),
  ],

  // fences
  ["``` fenced line is ignored", "```\n/handover abort\n```", { kind: "none" }],
  ["~~~ fenced line is ignored", "~~~\n/handover abort\n~~~", { kind: "none" }],
  ["fence with info string", "```sh\n/handover abort\n```\n/handover status", command("/handover status", "status")],
  [
    "longer fence is closed only by a fence at least as long",
    "````\n```\n/handover abort\n````\n/handover pause",
    command("/handover pause", "pause"),
  ],
  [
    "~~~ fence is not closed by ```",
    "~~~\n```\n/handover abort\n~~~\n/handover pause",
    command("/handover pause", "pause"),
  ],
  ["unclosed fence hides the rest", "```\n/handover abort", { kind: "none" }],
  [
    "indented fence (up to 3 spaces) still counts",
    "   ```\n/handover abort\n   ```\n/handover resume",
    command("/handover resume", "resume"),
  ],
  ["inline ```code``` is not a fence", "```x``` then\n/handover pause", command("/handover pause", "pause")],
  ["a fence inside a quote does not open a fence", "> ```\n/handover pause", command("/handover pause", "pause")],
  [
    "4-space indented code line is ignored",
    "Run this:\n\n    /handover abort\n\n/handover status",
    command("/handover status", "status"),
  ],

  // unknown verbs
  ["unknown verb", "/handover deploy now", { kind: "unknown", line: "/handover deploy now", word: "deploy" }],
  ["unknown verb keeps its case", "/handover Stop", { kind: "unknown", line: "/handover Stop", word: "Stop" }],

  // extra words
  ...["help", "status", "pause", "resume", "rollback", "decommission"].map((verb): [string, string, ParseResult] => [
    `${verb} takes no argument`,
    `/handover ${verb} please`,
    {
      kind: "invalid",
      line: `/handover ${verb} please`,
      message: `\`/handover ${verb}\` takes no arguments; write \`/handover ${verb}\`.`,
    },
  ]),

  // steps
  [
    "retry with a step",
    "/handover retry release-canary",
    command("/handover retry release-canary", "retry", { step: "release-canary" }),
  ],
  ["skip with a step", "/handover skip adopt-g2", command("/handover skip adopt-g2", "skip", { step: "adopt-g2" })],
  [
    "step id of 61 characters",
    `/handover skip a${"b".repeat(60)}`,
    command(`/handover skip a${"b".repeat(60)}`, "skip", { step: `a${"b".repeat(60)}` }),
  ],
  [
    "step id of 62 characters is too long",
    `/handover skip a${"b".repeat(61)}`,
    {
      kind: "invalid",
      line: `/handover skip a${"b".repeat(61)}`,
      message: `\`a${"b".repeat(61)}\` is not a step id (lowercase letters, digits and dashes, at most 61 characters, as shown on the dashboard); write \`/handover skip [step]\`.`,
    },
  ],
  [
    "step id with upper case",
    "/handover retry Release-Canary",
    {
      kind: "invalid",
      line: "/handover retry Release-Canary",
      message:
        "`Release-Canary` is not a step id (lowercase letters, digits and dashes, at most 61 characters, as shown on the dashboard); write `/handover retry [step]`.",
    },
  ],
  [
    "step id starting with a dash",
    "/handover skip -x",
    {
      kind: "invalid",
      line: "/handover skip -x",
      message:
        "`-x` is not a step id (lowercase letters, digits and dashes, at most 61 characters, as shown on the dashboard); write `/handover skip [step]`.",
    },
  ],
  [
    "two step ids",
    "/handover skip release-a adopt-a",
    {
      kind: "invalid",
      line: "/handover skip release-a adopt-a",
      message: "`/handover skip` takes at most one step id; write `/handover skip [step]`.",
    },
  ],

  // abort
  [
    "abort with a reason",
    "/handover abort -- target cluster is broken",
    command("/handover abort -- target cluster is broken", "abort", { reason: "target cluster is broken" }),
  ],
  ["abort with an empty reason", "/handover abort --", command("/handover abort --", "abort")],
  [
    "abort reason keeps inner dashes",
    "/handover abort -- wrong -- target",
    command("/handover abort -- wrong -- target", "abort", { reason: "wrong -- target" }),
  ],
  [
    "abort without --",
    "/handover abort target broken",
    {
      kind: "invalid",
      line: "/handover abort target broken",
      message: "Put the reason after `--`: write `/handover abort -- target broken` (the reason is optional).",
    },
  ],
  [
    "abort with --reason glued",
    "/handover abort --now",
    {
      kind: "invalid",
      line: "/handover abort --now",
      message: "Put the reason after `--`: write `/handover abort -- --now` (the reason is optional).",
    },
  ],
];

describe("parseCommand", () => {
  it.each(cases)("%s", (_name, body, want) => {
    expect(parseCommand(body)).toStrictEqual(want);
  });
});
