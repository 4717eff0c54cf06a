import type { CommandPermissions } from "./authorize.js";
import { ELEVATED_VERBS, VERBS, VERB_INFO, type ArgumentForm, type Verb } from "./verbs.js";

const ARGUMENTS: Record<ArgumentForm, string> = {
  none: "none",
  step: "optional step id, e.g. `release-canary`",
  reason: "optional `-- reason`",
};

/** A verb as the footers show it: `retry [step]`, `abort -- reason`. */
function shortForm(verb: Verb): string {
  const form = VERB_INFO[verb].form;
  return form === "step" ? `${verb} [step]` : form === "reason" ? `${verb} -- reason` : verb;
}

/**
 * Every command in one line, `help` last, for the dashboard and PR footers:
 * `` `/handover status` · `pause` · ... · `help` ``.
 */
export function commandLine(separator: string, last = separator): string {
  const verbs = [...VERBS.filter((verb) => verb !== "help"), "help" as const];
  const items = verbs.map((verb, i) => `\`${i === 0 ? "/handover " : ""}${shortForm(verb)}\``);
  return `${items.slice(0, -1).join(separator)}${last}${items.at(-1)}`;
}

/** Markdown table of every command; with the config, the permission each class needs. */
export function helpText(config?: CommandPermissions): string {
  const rows = VERBS.map((verb) => {
    const info = VERB_INFO[verb];
    const elevated = ELEVATED_VERBS.includes(verb);
    const permissionClass = elevated ? "elevated" : "regular";
    const teams =
      verb === "approve" && config?.approvers?.length ? ` or a member of ${config.approvers.join(", ")}` : "";
    const needs = config ? ` (**${elevated ? config.elevated : config.permission}**${teams})` : "";
    return `| \`${info.usage}\` | ${ARGUMENTS[info.form]} | ${info.does} | ${permissionClass}${needs} |`;
  });
  return [
    "| Command | Arguments | What it does | Permission |",
    "|---|---|---|---|",
    ...rows,
    "",
    "Write the command at the start of a line in a comment on the migration issue or a step PR. " +
      "Lines in code blocks or quotes are ignored, and only the first command in a comment counts. " +
      "Regular commands need `commands.permission` on this repository, elevated ones `commands.elevated`.",
  ].join("\n");
}
