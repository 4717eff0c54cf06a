import { describe, expect, it } from "vitest";
import { ELEVATED_VERBS, VERBS, authorize, effectivePermission, type Verb } from "../../../src/chatops/index.js";
import { PERMISSIONS, type Permission } from "../../../src/spec/github.js";

const DEFAULT = { permission: "write", elevated: "maintain" } as const;

// Expected outcome for each verb (rows) and permission (columns none..admin) with the default config.
const R = [false, false, false, true, true, true]; // regular: write and up
const E = [false, false, false, false, true, true]; // elevated: maintain and up
const TABLE: Record<Verb, boolean[]> = {
  help: R,
  status: R,
  pause: R,
  resume: R,
  retry: R,
  skip: E,
  abort: R,
  rollback: E,
  decommission: E,
  approve: E,
};

describe("authorize with the default config (write / maintain)", () => {
  const cells = VERBS.flatMap((verb) => PERMISSIONS.map((has, i) => ({ verb, has, allowed: TABLE[verb][i]! })));
  it.each(cells)("$verb by $has -> $allowed", ({ verb, has, allowed }) => {
    const needed: Permission = ELEVATED_VERBS.includes(verb) ? "maintain" : "write";
    const want = allowed
      ? { ok: true }
      : {
          ok: false,
          needed,
          has,
          message: `\`/handover ${verb}\` needs **${needed}** permission on this repository; @alice has **${has}**.`,
        };
    expect(authorize(verb, has, DEFAULT, "alice")).toStrictEqual(want);
  });

  it("ELEVATED_VERBS is skip, rollback, decommission, approve", () => {
    expect(ELEVATED_VERBS).toStrictEqual(["skip", "rollback", "decommission", "approve"]);
  });
});

describe("authorize with other configs", () => {
  it.each([
    { verb: "status", has: "read", config: { permission: "read", elevated: "admin" }, want: { ok: true } },
    {
      verb: "rollback",
      has: "maintain",
      config: { permission: "read", elevated: "admin" },
      want: {
        ok: false,
        needed: "admin",
        has: "maintain",
        message: "`/handover rollback` needs **admin** permission on this repository; @alice has **maintain**.",
      },
    },
    {
      // a config with elevated below permission never lets elevated verbs need less
      verb: "skip",
      has: "triage",
      config: { permission: "write", elevated: "triage" },
      want: {
        ok: false,
        needed: "write",
        has: "triage",
        message: "`/handover skip` needs **write** permission on this repository; @alice has **triage**.",
      },
    },
  ] as { verb: Verb; has: Permission; config: { permission: Permission; elevated: Permission }; want: unknown }[])(
    "$verb by $has with $config.permission/$config.elevated",
    ({ verb, has, config, want }) => {
      expect(authorize(verb, has, config, "alice")).toStrictEqual(want);
    },
  );

  it("without a login the message speaks to the commenter", () => {
    expect(authorize("pause", "read", DEFAULT)).toStrictEqual({
      ok: false,
      needed: "write",
      has: "read",
      message: "`/handover pause` needs **write** permission on this repository; you have **read**.",
    });
  });
});

describe("effectivePermission", () => {
  it.each([
    [{ permission: "admin", role_name: "admin" }, "admin"],
    [{ permission: "write", role_name: "maintain" }, "maintain"],
    [{ permission: "write", role_name: "write" }, "write"],
    [{ permission: "read", role_name: "triage" }, "triage"],
    [{ permission: "read", role_name: "read" }, "read"],
    [{ permission: "none", role_name: "none" }, "none"],
    [{ permission: "write" }, "write"],
    [{ permission: "read" }, "read"],
    [{ permission: "none" }, "none"],
    [{ permission: "write", role_name: "security-reviewer" }, "write"],
    [{ permission: "read", role_name: "Maintain" }, "maintain"],
    [{ permission: "ADMIN" }, "admin"],
    [{ permission: "pull" }, "none"],
    [{ permission: "", role_name: "" }, "none"],
  ] as [{ permission: string; role_name?: string }, Permission][])("%o -> %s", (response, want) => {
    expect(effectivePermission(response)).toBe(want);
  });
});
