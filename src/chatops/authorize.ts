import { PERMISSIONS, PermissionSchema, type Permission } from "../spec/github.js";
import { ELEVATED_VERBS, type Verb } from "./verbs.js";

export interface CommandPermissions {
  /** `commands.permission`: needed for every verb. */
  permission: Permission;
  /** `commands.elevated`: needed for skip, rollback, decommission and approve. */
  elevated: Permission;
  /** `commands.approvers`: teams (`org/slug`) whose members may approve without `elevated`. */
  approvers?: readonly string[];
}

/** How a commenter stands with `commands.approvers`: the team that lets them approve, or why none could be read. */
export interface TeamStanding {
  team?: string;
  problems?: readonly string[];
}

/** `team`: allowed as a member of that `commands.approvers` team, not by permission. */
export type Authorization =
  | { ok: true; team?: string }
  | { ok: false; needed: Permission; has: Permission; message: string };

const rank = (permission: Permission): number => PERMISSIONS.indexOf(permission);

/** The permission a verb needs under this config (elevated verbs never need less than the rest). */
export function neededPermission(verb: Verb, config: CommandPermissions): Permission {
  if (!ELEVATED_VERBS.includes(verb)) return config.permission;
  return rank(config.elevated) >= rank(config.permission) ? config.elevated : config.permission;
}

/** Whether `commands.approvers` matters for this verb: only `/handover approve`, only when teams are listed. */
export function teamsCount(verb: Verb, config: CommandPermissions): boolean {
  return verb === "approve" && (config.approvers?.length ?? 0) > 0;
}

/**
 * May someone with `has` (and, for `approve`, this standing with `commands.approvers`) run `/handover <verb>`? The
 * refusal message is ready to post.
 */
export function authorize(
  verb: Verb,
  has: Permission,
  config: CommandPermissions,
  login?: string,
  standing: TeamStanding = {},
): Authorization {
  const needed = neededPermission(verb, config);
  if (rank(has) >= rank(needed)) return { ok: true };
  const teams = teamsCount(verb, config);
  if (teams && standing.team !== undefined && config.approvers?.includes(standing.team))
    return { ok: true, team: standing.team };
  const who = login ? `@${login}` : "you";
  const verbHas = login ? "has" : "have";
  const message = teams
    ? `\`/handover ${verb}\` needs **${needed}** permission on this repository or membership of a team in \`commands.approvers\` (${config.approvers?.join(", ")}); ${who} ${verbHas} **${has}** and ${login ? "is" : "are"} in none of them.${(standing.problems ?? []).map((p) => ` ${p}.`).join("")}`
    : `\`/handover ${verb}\` needs **${needed}** permission on this repository; ${who} ${verbHas} **${has}**.`;
  return { ok: false, needed, has, message };
}

/**
 * The permission from GitHub's "get repository permissions for a user" answer: `role_name`
 * (admin/maintain/write/triage/read) when it is one we know, else the legacy `permission`
 * (admin/write/read/none), else none. Custom role names fall back to the legacy field.
 */
export function effectivePermission(apiResponse: { permission: string; role_name?: string | null }): Permission {
  const role = PermissionSchema.safeParse(apiResponse.role_name?.toLowerCase());
  if (role.success) return role.data;
  const legacy = PermissionSchema.safeParse(apiResponse.permission.toLowerCase());
  return legacy.success ? legacy.data : "none";
}
