import {
  CommandSchema,
  STEP_ID_PATTERN,
  VERB_INFO,
  VerbSchema,
  type ArgumentForm,
  type Command,
  type Verb,
} from "./verbs.js";
import { code } from "../render/markdown.js";

export type ParseResult =
  | { kind: "none" }
  | { kind: "command"; command: Command }
  | { kind: "unknown"; line: string; word: string }
  | { kind: "invalid"; line: string; message: string };

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})(.*)$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const QUOTE = /^ {0,3}>/;
// At most 3 leading spaces: 4 (or a tab) make an indented code block.
const COMMAND = /^ {0,3}\/handover(?=\s|$)(.*)$/i;
/** The longest command line or reason kept: it is quoted in replies, the audit log and the hidden state. */
export const COMMAND_MAX = 200;

/** Cut user text to `max` characters, marking the cut. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The first `/handover` line outside fenced code and quotes, and what follows the keyword. */
function firstCommandLine(body: string): { line: string; rest: string } | undefined {
  let fence: { char: string; length: number } | undefined;
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (fence) {
      const close = FENCE_CLOSE.exec(line)?.[1];
      if (close && close[0] === fence.char && close.length >= fence.length) fence = undefined;
      continue;
    }
    if (QUOTE.test(line)) continue;
    const open = FENCE_OPEN.exec(line);
    // A backtick fence's info string cannot hold a backtick (```x``` is inline code).
    if (open?.[1] && !(open[1][0] === "`" && open[2]?.includes("`"))) {
      fence = { char: open[1][0]!, length: open[1].length };
      continue;
    }
    const command = COMMAND.exec(line);
    if (command) return { line: cut(line.trim(), COMMAND_MAX), rest: (command[1] ?? "").trim() };
  }
  return undefined;
}

type ArgumentResult = { ok: true; step?: string; reason?: string } | { ok: false; message: string };

const ARGUMENT_PARSERS: Record<ArgumentForm, (verb: Verb, args: string) => ArgumentResult> = {
  none: (verb, args) =>
    args === ""
      ? { ok: true }
      : { ok: false, message: `\`/handover ${verb}\` takes no arguments; write \`${VERB_INFO[verb].usage}\`.` },
  step: (verb, args) => {
    if (args === "") return { ok: true };
    if (/\s/.test(args)) {
      return {
        ok: false,
        message: `\`/handover ${verb}\` takes at most one step id; write \`${VERB_INFO[verb].usage}\`.`,
      };
    }
    if (!STEP_ID_PATTERN.test(args)) {
      return {
        ok: false,
        message:
          `${code(cut(args, 80))} is not a step id (lowercase letters, digits and dashes, at most 61 characters, ` +
          `as shown on the dashboard); write \`${VERB_INFO[verb].usage}\`.`,
      };
    }
    return { ok: true, step: args };
  },
  reason: (verb, args) => {
    if (args === "") return { ok: true };
    const reason = /^--(?:\s|$)([\s\S]*)$/.exec(args)?.[1];
    if (reason === undefined) {
      return {
        ok: false,
        message: `Put the reason after \`--\`: write ${code(cut(`/handover ${verb} -- ${args}`, COMMAND_MAX))} (the reason is optional).`,
      };
    }
    return reason.trim() === "" ? { ok: true } : { ok: true, reason: cut(reason.trim(), COMMAND_MAX) };
  },
};

/** Parse a comment body: only its first `/handover` line outside code blocks and quotes counts. */
export function parseCommand(body: string): ParseResult {
  const found = firstCommandLine(body);
  if (!found) return { kind: "none" };
  const { line, rest } = found;
  const word = rest.split(/\s/, 1)[0] ?? "";
  const verb =
    word === "" ? { success: true as const, data: "help" as const } : VerbSchema.safeParse(word.toLowerCase());
  if (!verb.success) return { kind: "unknown", line, word: cut(word, 40) };
  const args = ARGUMENT_PARSERS[VERB_INFO[verb.data].form](verb.data, rest.slice(word.length).trim());
  if (!args.ok) return { kind: "invalid", line, message: args.message };
  const { ok: _ok, ...parsed } = args;
  return { kind: "command", command: CommandSchema.parse({ verb: verb.data, ...parsed, line }) };
}
