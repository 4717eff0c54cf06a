import { PERMISSIONS, PermissionSchema, type Permission } from "../spec/github.js";
import { ELEVATED_VERBS, type Verb } from "./verbs.js";

export interface CommandPermissions {
  /** `commands.permission`: needed for every verb. */
  permission: Permission;
  /** `commands.elevated`: needed for skip, rollback, decommission and approve. */
  elevated: Permission;
}

export type Authorization = { ok: true } | { ok: false; needed: Permission; has: Permission; message: string };

const rank = (permission: Permission): number => PERMISSIONS.indexOf(permission);

/** The permission a verb needs under this config (elevated verbs never need less than the rest). */
export function neededPermission(verb: Verb, config: CommandPermissions): Permission {
  if (!ELEVATED_VERBS.includes(verb)) return config.permission;
  return rank(config.elevated) >= rank(config.permission) ? config.elevated : config.permission;
}

/** May someone with `has` run `/handover <verb>`? The refusal message is ready to post. */
export function authorize(verb: Verb, has: Permission, config: CommandPermissions, login?: string): Authorization {
  const needed = neededPermission(verb, config);
  if (rank(has) >= rank(needed)) return { ok: true };
  const who = login ? `@${login}` : "you";
  const verbHas = login ? "has" : "have";
  return {
    ok: false,
    needed,
    has,
    message: `\`/handover ${verb}\` needs **${needed}** permission on this repository; ${who} ${verbHas} **${has}**.`,
  };
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
