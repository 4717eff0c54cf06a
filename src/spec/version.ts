/** Replicante Core versions and the discovery era each one reads (DESIGN.md sections 1 and 3a). */

export const ERAS = ["files", "http", "settings"] as const;
export type Era = (typeof ERAS)[number];

/** `0.3.1`, `v0.4`, `0.7.2-rc1`: what operators write in handover.yml, the issue form and image tags. */
export const CORE_VERSION_PATTERN = "^v?\\d+\\.\\d+(\\.\\d+)?([-+][0-9A-Za-z.-]+)?$";
const CORE_VERSION = new RegExp(CORE_VERSION_PATTERN);

export interface CoreVersion {
  /** As written, without a leading `v`. */
  text: string;
  major: number;
  minor: number;
  patch: number;
}

/** The version, or undefined when the text is not a Core version. */
export function parseCoreVersion(text: string): CoreVersion | undefined {
  const trimmed = text.trim();
  if (!CORE_VERSION.test(trimmed)) return undefined;
  const bare = trimmed.replace(/^v/, "");
  const [major = 0, minor = 0, patch = 0] = bare
    .replace(/[-+].*$/, "")
    .split(".")
    .map((n) => parseInt(n, 10));
  return { text: bare, major, minor, patch };
}

/** Negative, zero or positive as a is older than, the same release as, or newer than b. */
export function compareCoreVersions(a: CoreVersion, b: CoreVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** The discovery era a Core version reads: < 0.4 files, 0.4-0.6 http, >= 0.7 settings. */
export function eraOfVersion(version: CoreVersion): Era {
  if (version.major > 0 || version.minor >= 7) return "settings";
  if (version.minor >= 4) return "http";
  return "files";
}

/** Core before 0.3.0 names a discovery file's datastore `cluster`; 0.3.0 and later read only `cluster_id`. */
export function readsLegacyClusterKey(version: CoreVersion): boolean {
  return version.major === 0 && version.minor < 3;
}

/** The versions each era covers, for messages. */
export const ERA_VERSIONS: Record<Era, string> = {
  files: "Core 0.1-0.3",
  http: "Core 0.4-0.6",
  settings: "Core 0.7+",
};

const ERA_ORDER: Era[] = ["files", "http", "settings"];

/** What adopt steps write into the target, per crossing of DESIGN.md section 3a. */
export type Crossing =
  | { kind: "same-era" }
  | { kind: "rename-cluster-key" }
  | { kind: "http-to-settings" }
  | { kind: "files-to-http" }
  | { kind: "files-to-settings" };

export interface CrossingSide {
  era: Era;
  /** Known when handover.yml (or the issue, for the target) says it. */
  version: CoreVersion | undefined;
}

function describe(side: CrossingSide): string {
  return side.version ? `Core ${side.version.text} (${side.era} era)` : `${side.era} era (${ERA_VERSIONS[side.era]})`;
}

/** The crossing section 3a allows from source to target, or why it is refused (naming both versions). */
export function crossingOf(source: CrossingSide, target: CrossingSide): Crossing | { refused: string } {
  const both = `${describe(source)} -> ${describe(target)}`;
  if (source.version && target.version && compareCoreVersions(target.version, source.version) < 0) {
    return { refused: `${both}: the target version is older than the source; Handover only upgrades` };
  }
  if (ERA_ORDER.indexOf(target.era) < ERA_ORDER.indexOf(source.era)) {
    return {
      refused: `${both}: moving backends from the ${source.era} era back to the ${target.era} era is not an upgrade Replicante supports`,
    };
  }
  if (source.era === target.era) {
    // A files-era source of unknown version may still write `cluster:`; renaming is a no-op where it does not.
    const legacy = source.era === "files" && (source.version === undefined || readsLegacyClusterKey(source.version));
    const modern = target.version !== undefined && !readsLegacyClusterKey(target.version);
    return legacy && modern ? { kind: "rename-cluster-key" } : { kind: "same-era" };
  }
  if (source.era === "http") return { kind: "http-to-settings" };
  return target.era === "http" ? { kind: "files-to-http" } : { kind: "files-to-settings" };
}
