import type { CommandPermissions } from "./authorize.js";
import { ELEVATED_VERBS, VERBS, VERB_INFO, type ArgumentForm } from "./verbs.js";

const ARGUMENTS: Record<ArgumentForm, string> = {
  none: "none",
  step: "optional step id, e.g. `release-canary`",
  reason: "optional `-- reason`",
};

/** Markdown table of every command; with the config, the permission each class needs. */
export function helpText(config?: CommandPermissions): string {
  const rows = VERBS.map((verb) => {
    const info = VERB_INFO[verb];
    const elevated = ELEVATED_VERBS.includes(verb);
    const permissionClass = elevated ? "elevated" : "regular";
    const needs = config ? ` (**${elevated ? config.elevated : config.permission}**)` : "";
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
