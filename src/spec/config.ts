import { posix } from "node:path";
import { z } from "zod";
import { PermissionSchema } from "./github.js";
import { ERA_VERSIONS, ERAS, eraOfVersion, parseCoreVersion, type Era } from "./version.js";

export { ERAS, type Era } from "./version.js";
import { FREEZE_EXAMPLE, parseFreeze, parseWindow, WINDOW_EXAMPLE } from "../schedule/index.js";

/** Durations as operators write them: `30s`, `15m`, `2h`, `1h30m`. */
export const DURATION_PATTERN = "^(?=\\d)(\\d+h)?(\\d+m)?(\\d+s)?$";
const DURATION_RE = new RegExp(DURATION_PATTERN);

export const duration = z
  .string()
  .regex(DURATION_RE, { message: "expected a duration such as 30s, 15m, 2h or 1h30m" })
  .describe("A duration: 30s, 15m, 2h, 1h30m");

/** Milliseconds of a duration string already validated by `duration`. */
export function durationMs(text: string): number {
  const match = DURATION_RE.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  const [, h, m, s] = match;
  return ((parseInt(h ?? "0", 10) * 60 + parseInt(m ?? "0", 10)) * 60 + parseInt(s ?? "0", 10)) * 1000;
}

/** A path inside the config repo: relative, posix, never escaping the root. */
export function isRepoPath(value: string): boolean {
  if (value === "" || value.includes("\\") || value.includes("\0")) return false;
  if (value.startsWith("/")) return false;
  const normal = posix.normalize(value);
  return normal !== ".." && !normal.startsWith("../");
}

/** Normal form of a repo path: `./a/b/` -> `a/b`, `.` -> `` (the root). */
export function normalizeRepoPath(value: string): string {
  const normal = posix.normalize(value).replace(/\/+$/, "");
  return normal === "." ? "" : normal;
}

export const repoPath = z
  .string()
  .refine(isRepoPath, {
    message: "expected a path relative to the repo root that stays inside it (no leading /, no ..)",
  })
  .describe("A path relative to the config repo root");

/** A file (not the root, not a dir-looking path) inside the repo. */
const repoFile = repoPath.refine((value) => normalizeRepoPath(value) !== "" && !value.endsWith("/"), {
  message: "expected a file path, not a directory",
});

const absolutePath = z.string().regex(/^\/[^\0\\]*$/, { message: "expected an absolute path such as /opt/replicante" });

/** What handover.yml may require of a commenter (everyone has `none`). */
export const permission = PermissionSchema.exclude(["none"]);

const statusCheck = z.strictObject({
  status: z.string().min(1).describe("Commit status context or check-run name (glob) that must be success"),
});
const deploymentCheck = z.strictObject({
  deployment: z.string().min(1).describe("GitHub deployment environment whose newest deployment must be success"),
});
const httpCheck = z.strictObject({
  http: z
    .url({ protocol: /^https?$/, message: "expected an http(s) URL" })
    .describe("Replicante /api/unstable/introspect/health URL; every result must be HEALTHY"),
  version: z.boolean().optional().describe("Also require /introspect/version to report the target version"),
});
/** Kubernetes object names: what Flux and Argo CD name their objects (and so their status contexts). */
const objectName = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
  message: "expected a Kubernetes object name (lowercase letters, digits, - and .)",
});
const fluxCheck = z.strictObject({
  flux: objectName.describe(
    "Flux Kustomization name: its notification-controller status `kustomization/NAME/<provider-uid-prefix>` must be success",
  ),
});
const argocdCheck = z.strictObject({
  argocd: objectName.describe(
    "Argo CD Application name: its notifications status `continuous-delivery/APP` must be success",
  ),
});
export const healthCheck = z.union([fluxCheck, argocdCheck, statusCheck, deploymentCheck, httpCheck], {
  error:
    "expected exactly one check: {flux: KUSTOMIZATION}, {argocd: APP}, {status: GLOB}, {deployment: ENVIRONMENT} or {http: URL, version?: true}",
});
export type HealthCheck = z.infer<typeof healthCheck>;

/** The commit status glob a preset stands for (DESIGN section 5); a `status` check's own glob. */
export function statusGlob(check: HealthCheck): string | undefined {
  if ("flux" in check) return `kustomization/${check.flux}/*`;
  if ("argocd" in check) return `continuous-delivery/${check.argocd}`;
  if ("status" in check) return check.status;
  return undefined;
}

/** A cluster's checks; `health: none` (no gate, on purpose) has none. */
export function healthChecks(health: "none" | HealthCheck[]): HealthCheck[] {
  return health === "none" ? [] : health;
}

export const restartSpec = z.strictObject({
  file: repoPath.describe("YAML file holding the restart annotation (e.g. a StatefulSet)"),
  key: z.array(z.string().min(1)).min(1).describe("Key path to the annotation whose value is bumped"),
  document: z.number().int().min(0).default(0).describe("Document index in a multi-document YAML file"),
});

export const CLUSTER_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** A Core version as written in YAML: `0.3.1` is a string, `0.4` a number; both are read as text. */
const coreVersion = z
  .union([z.string(), z.number().transform((n) => String(n))])
  .refine((v) => parseCoreVersion(v) !== undefined, {
    message: "expected a Replicante Core version such as 0.3.1 (or v0.4)",
  })
  .describe(
    "The Core version this cluster runs; the era follows from it (< 0.3 files with `cluster`, 0.3 files, 0.4-0.6 http, >= 0.7 settings)",
  );

export const staticDiscovery = z.strictObject({
  dir: repoPath.describe("Repo folder a static web server publishes (discovery JSON documents are written there)"),
  url: z
    .string()
    .min(1)
    .describe("The URL that folder is served under (http discovery GETs <url>/<group>.json); REPLACE-ME until known"),
});
export type StaticDiscovery = z.infer<typeof staticDiscovery>;

/** The era a cluster's handover.yml entry states, from `discovery` or else `version` (undefined: inferred from files). */
export function statedEra(cluster: { discovery?: Era | undefined; version?: string | undefined }): Era | undefined {
  if (cluster.discovery !== undefined) return cluster.discovery;
  const version = cluster.version === undefined ? undefined : parseCoreVersion(cluster.version);
  return version ? eraOfVersion(version) : undefined;
}

export const clusterSpec = z
  .strictObject({
    config: repoFile.describe("The Replicante Core config file (replicante.yaml)"),
    workdir: repoPath.optional().describe("Repo dir that is the process working dir (default: dir of config)"),
    mounts: z.record(absolutePath, repoPath).optional().describe("Absolute paths used in the Core config -> repo dirs"),
    version: coreVersion.optional(),
    discovery: z
      .enum(ERAS)
      .optional()
      .describe(
        "Core era: files (0.1-0.3), http (0.4-0.6), settings (0.7+); must agree with version; inferred when both are omitted",
      ),
    settings_dir: repoPath.optional().describe("Era settings only: dir of DiscoverySettings objects"),
    static_discovery: staticDiscovery
      .optional()
      .describe("Eras http and settings: where static discovery documents for backends from the files era are served"),
    network: z
      .string()
      .min(1)
      .optional()
      .describe(
        "Network the cluster's dependencies live on (compose project, Kubernetes namespace); the same host name on two networks is two services (default: one network for all)",
      ),
    restart: restartSpec.optional().describe("How a rolling restart is requested through git"),
    health: z
      .union([z.literal("none"), z.array(healthCheck)], {
        error: "expected a list of checks, or `none` for a cluster whose gate is the soak time alone",
      })
      .default([])
      .describe("Checks that must all pass for the cluster's gate; `none`: no gate on purpose (soak time only)"),
    soak: duration.optional().describe("Per-cluster soak override"),
  })
  .superRefine((cluster, ctx) => {
    const version = cluster.version === undefined ? undefined : parseCoreVersion(cluster.version);
    const versionEra = version ? eraOfVersion(version) : undefined;
    if (versionEra !== undefined && cluster.discovery !== undefined && cluster.discovery !== versionEra) {
      ctx.addIssue({
        code: "custom",
        path: ["discovery"],
        message: `contradicts version ${cluster.version}: Core ${version?.text} reads the ${versionEra} era (${cluster.discovery} is ${ERA_VERSIONS[cluster.discovery]}); fix one of them`,
      });
      return;
    }
    const era = statedEra(cluster);
    if (era === "settings" && cluster.settings_dir === undefined) {
      const why =
        cluster.discovery === "settings" ? "discovery is settings" : `Core ${version?.text} reads DiscoverySettings`;
      ctx.addIssue({ code: "custom", path: ["settings_dir"], message: `is required when ${why}` });
    }
    if (cluster.settings_dir !== undefined && era !== undefined && era !== "settings") {
      const why = cluster.discovery !== undefined ? cluster.discovery : `${era}, Core ${version?.text}`;
      ctx.addIssue({
        code: "custom",
        path: ["settings_dir"],
        message: `is only used when discovery is settings (this cluster is ${why})`,
      });
    }
    if (cluster.static_discovery !== undefined && era === "files") {
      ctx.addIssue({
        code: "custom",
        path: ["static_discovery"],
        message: "is only used by the http and settings eras (Core 0.4+), this cluster is files era",
      });
    }
  });
export type ClusterSpec = z.infer<typeof clusterSpec>;

/** A string some parser accepts; its message becomes the zod issue (`windows[0]: "...": time zone ...`). */
function parsedBy(parse: (text: string) => unknown, description: string) {
  return z
    .string()
    .superRefine((text, ctx) => {
      const result = parse(text);
      if (typeof result === "string") ctx.addIssue({ code: "custom", message: result });
    })
    .describe(description);
}

export const changeWindow = parsedBy(
  parseWindow,
  `Weekly range DAYS HH:MM-HH:MM TIMEZONE, e.g. \`${WINDOW_EXAMPLE}\`; an end before the start runs overnight`,
);

export const freeze = z.union(
  [
    parsedBy(parseFreeze, `FROM..TO TIMEZONE, dates (both days included) or date-times, e.g. \`${FREEZE_EXAMPLE}\``),
    z.strictObject({
      label: z.string().min(1).describe("Nothing opens while the migration issue carries this label"),
    }),
  ],
  { error: `expected "FROM..TO TIMEZONE" (e.g. "${FREEZE_EXAMPLE}") or {label: NAME}` },
);
export type Freeze = z.infer<typeof freeze>;

const GROUP_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

/** Step kinds that may wait for `/handover approve` (decommission always waits for `/handover decommission`). */
export const APPROVABLE_KINDS = ["prepare", "release", "adopt"] as const;

const approveKinds = z
  .array(
    z.enum(APPROVABLE_KINDS, {
      error: "expected prepare, release or adopt (decommission always needs /handover decommission)",
    }),
  )
  .default([])
  .describe("Step kinds that wait for `/handover approve` after the previous gate, e.g. `[adopt]`");

/** Step kinds GitHub may merge by itself once checks and reviews pass; prepare and decommission always need a person. */
export const AUTOMERGE_KINDS = ["release", "adopt"] as const;

const automergeKinds = z
  .array(
    z.enum(AUTOMERGE_KINDS, {
      error: (issue) =>
        issue.input === "prepare" || issue.input === "decommission"
          ? `${issue.input} is never auto-merged (a person reviews and merges it); expected release or adopt`
          : "expected release or adopt",
    }),
  )
  .default([])
  .describe(
    "Step kinds whose PR gets GitHub's auto-merge (it merges once branch protection's reviews and checks pass), e.g. `[release]`; never prepare or decommission",
  );

export const groupControls = z.strictObject({
  approve: z.boolean().optional().describe("This group's release and adopt steps wait for `/handover approve`"),
  automerge: z
    .boolean()
    .optional()
    .describe("This group's release and adopt PRs get GitHub's auto-merge (wins over the top-level `automerge`)"),
});

/** A GitHub team as `ORG/TEAM-SLUG`. */
export const TEAM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

export const handoverConfig = z.strictObject({
  version: z.literal(1).describe("Config format version"),
  clusters: z
    .record(
      z.string().regex(CLUSTER_NAME, { message: "expected a cluster name: lowercase letters, digits, . _ -" }),
      clusterSpec,
    )
    .describe("Every Replicante Core cluster in this repo"),
  defaults: z
    .strictObject({
      soak: duration.default("10m").describe("Healthy this long, without interruption, before a gate passes"),
      timeout: duration.default("2h").describe("A gate not passed by then fails (timed out)"),
      restart: z.boolean().default(true).describe("Bump the restart key in release/adopt steps of eras that need it"),
    })
    .prefault({})
    .describe("Gate and restart defaults for every cluster"),
  commands: z
    .strictObject({
      permission: permission.default("write").describe("Minimum repo permission for /handover commands"),
      elevated: permission.default("maintain").describe("Minimum for skip, rollback, decommission, approve"),
      approvers: z
        .array(z.string().regex(TEAM_PATTERN, { message: "expected a team as ORG/TEAM-SLUG, e.g. acme/db-leads" }))
        .default([])
        .describe(
          "Teams (`ORG/TEAM-SLUG`) whose members may `/handover approve` without `elevated` permission (the App needs the organization permission members: read)",
        ),
    })
    .prefault({})
    .describe("Who may steer a migration with /handover comments"),
  resync: duration.default("5m").describe("How often waiting migrations are re-checked without a webhook"),
  windows: z
    .array(changeWindow)
    .default([])
    .describe(
      `Change windows \`DAYS HH:MM-HH:MM TIMEZONE\`, e.g. \`${WINDOW_EXAMPLE}\` (an end before the start runs overnight): a step PR opens only inside one (none: any time); a gate passing outside waits for the next`,
    ),
  freezes: z
    .array(freeze)
    .default([])
    .describe(
      `Freezes: nothing opens during \`FROM..TO TIMEZONE\` (dates, both days included, e.g. \`${FREEZE_EXAMPLE}\`, or date-times \`2026-12-24T18:00..2026-12-27T08:00 UTC\`), or while the migration issue has the label of a \`{label: NAME}\` entry`,
    ),
  approve: approveKinds,
  automerge: automergeKinds,
  groups: z
    .record(
      z.string().regex(GROUP_NAME, { message: "expected a group name as in the issue: ^[a-z0-9][a-z0-9-]{0,39}$" }),
      groupControls,
    )
    .default({})
    .describe(
      "Per backend group (by its name in the migration issue): `approve` and `automerge` win over the step kinds' lists for its release and adopt",
    ),
});
export type HandoverConfig = z.infer<typeof handoverConfig>;

/**
 * Whether a step waits for `/handover approve`, and whether its PR gets GitHub's auto-merge: its group's setting wins
 * over the step kinds' lists. Prepare and decommission are never auto-merged, whatever the config says.
 */
export function stepControls(
  config: Pick<HandoverConfig, "approve" | "automerge" | "groups">,
  step: { kind: string; group: string | null },
): { approve: boolean; automerge: boolean } {
  const group = step.group !== null ? config.groups[step.group] : undefined;
  const grouped = step.kind === "release" || step.kind === "adopt";
  const approvable = (APPROVABLE_KINDS as readonly string[]).includes(step.kind);
  const mergeable = (AUTOMERGE_KINDS as readonly string[]).includes(step.kind);
  return {
    approve: approvable && ((grouped ? group?.approve : undefined) ?? (config.approve as string[]).includes(step.kind)),
    automerge:
      mergeable && ((grouped ? group?.automerge : undefined) ?? (config.automerge as string[]).includes(step.kind)),
  };
}

export const CONFIG_PATH = ".github/handover.yml";
