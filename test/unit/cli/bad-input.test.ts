// Bad input of every kind: the CLI exits 2 (input to fix) or 1 (invariant refused) with lines naming the
// culprit, never a stack trace, and never changes the repo it was pointed at (DESIGN sections 1, 2, 4, 7, 8).
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { RULES, type Rule } from "../../../src/spec/violation.js";
import {
  addCluster,
  cli,
  CONFIG,
  CORE_A,
  CORE_B,
  coreConfig,
  EXAMPLE_ISSUE,
  exampleCopy,
  hashTree,
  issueFile,
  removeTempDirs,
  replaceOnce,
  ROOT,
  setSection,
  stackLines,
  tempDir,
  type CliRun,
  type Mutation,
} from "./helpers.js";

afterAll(removeTempDirs);

const BOMB = readFileSync(join(ROOT, "test/fixtures/bad/billion-laughs.yaml"), "utf8");
const BOMB_LIST = readFileSync(join(ROOT, "test/fixtures/bad/billion-laughs-list.yaml"), "utf8");
const PATH_RULE = "expected a path relative to the repo root that stays inside it (no leading /, no ..)";
const FILE_RULE = "expected a file path, not a directory";
const HEALTH_RULE =
  "expected exactly one check: {flux: KUSTOMIZATION}, {argocd: APP}, {status: GLOB}, {deployment: ENVIRONMENT} or {http: URL, version?: true}";
const DURATION_RULE = "expected a duration such as 30s, 15m, 2h or 1h30m";

/** Repos created by a test, with their hashes before the command ran: checked unchanged after every test. */
let watched: { dir: string; before: Record<string, string> }[] = [];

function watchedCopy(files: Record<string, Mutation> = {}): string {
  const dir = exampleCopy(files);
  watched.push({ dir, before: hashTree(dir) });
  return dir;
}

afterEach(() => {
  for (const { dir, before } of watched) expect(hashTree(dir), `files under ${dir} changed`).toEqual(before);
  watched = [];
});

/** What every bad-input run must satisfy, whatever the case. */
function expectClean(run: CliRun): void {
  expect(stackLines(run.err)).toEqual([]);
  expect(stackLines(run.out)).toEqual([]);
  expect(run.err).not.toContain("internal error");
}

function expectInputError(run: CliRun, lines: string[]): void {
  expectClean(run);
  expect(run.err).toBe(lines.map((l) => `${l}\n`).join(""));
  expect(run.out).toBe("");
  expect(run.code).toBe(2);
}

// ---------------------------------------------------------------------------------------------------------
// handover.yml that parses as YAML but breaks the schema: `plan` exits 2 with one line per problem;
// `check` reports the same line as an `invalid-config` violation (DESIGN section 4) and exits 1.

interface SchemaCase {
  name: string;
  config: (old: string) => string;
  /** The problem line, after `handover <command>: `. */
  line: string;
  /** Further lines for the same value, when it breaks more than one rule at once. */
  more?: string[];
}

const cluster = (key: string, value: string) => replaceOnce("    health:", `    ${key}: ${value}\n    health:`);

const schemaCases: SchemaCase[] = [
  {
    name: "unknown key at the top level",
    config: (s) => `${s}resynk: 5m\n`,
    line: `${CONFIG}: unknown key "resynk" (a typo must not silently turn a setting off)`,
  },
  {
    name: "unknown key in a cluster",
    config: replaceOnce("    workdir:", "    workdri: clusters/x\n    workdir:"),
    line: `${CONFIG}: clusters.replicore-a: unknown key "workdri" (a typo must not silently turn a setting off)`,
  },
  {
    name: "unknown key in defaults",
    config: replaceOnce("  timeout: 2h", "  timeout: 2h\n  sook: 1m"),
    line: `${CONFIG}: defaults: unknown key "sook" (a typo must not silently turn a setting off)`,
  },
  ...["10x", "-5m", "5 m", "1d"].map(
    (soak): SchemaCase => ({
      name: `cluster soak ${JSON.stringify(soak)}`,
      config: cluster("soak", JSON.stringify(soak)),
      line: `${CONFIG}: clusters.replicore-a.soak: ${JSON.stringify(soak)}: ${DURATION_RULE}`,
    }),
  ),
  {
    name: "defaults.timeout 1d",
    config: replaceOnce("timeout: 2h", "timeout: 1d"),
    line: `${CONFIG}: defaults.timeout: "1d": ${DURATION_RULE}`,
  },
  {
    name: "resync -5m",
    config: (s) => `${s}resync: -5m\n`,
    line: `${CONFIG}: resync: "-5m": ${DURATION_RULE}`,
  },
  {
    name: "windows with an hour range that is no HH:MM",
    config: (s) => `${s}windows:\n  - Mon-Thu 9-16 Europe/Berlin\n`,
    line: `${CONFIG}: windows[0]: "Mon-Thu 9-16 Europe/Berlin": time range "9-16": expected HH:MM-HH:MM (24-hour clock, end up to 24:00), e.g. 09:00-16:00`,
  },
  {
    name: "windows with an unknown time zone",
    config: (s) => `${s}windows:\n  - Mon-Fri 09:00-17:00 UTC\n  - Sat 10:00-12:00 Europe/Berln\n`,
    line: `${CONFIG}: windows[1]: "Sat 10:00-12:00 Europe/Berln": time zone "Europe/Berln": not an IANA time zone such as Europe/Berlin or UTC`,
  },
  ...["prepare", "decommission"].map(
    (kind): SchemaCase => ({
      name: `automerge naming ${kind}`,
      config: (s) => `${s}automerge: [release, ${kind}]\n`,
      line: `${CONFIG}: automerge[1]: "${kind}": ${kind} is never auto-merged (a person reviews and merges it); expected release or adopt`,
    }),
  ),
  {
    name: "a group's automerge that is not true or false",
    config: (s) => `${s}groups:\n  canary: {automerge: yes please}\n`,
    line: `${CONFIG}: groups.canary.automerge: "yes please": Invalid input: expected boolean, received string`,
  },
  {
    name: "an approvers entry that is no ORG/TEAM",
    config: replaceOnce("elevated: maintain", "elevated: maintain\n  approvers: [acme/db-leads, db-leads]"),
    line: `${CONFIG}: commands.approvers[1]: "db-leads": expected a team as ORG/TEAM-SLUG, e.g. acme/db-leads`,
  },
  {
    name: "freezes with an impossible date",
    config: (s) => `${s}freezes:\n  - 2026-02-30..2026-03-02 UTC\n`,
    line: `${CONFIG}: freezes[0]: "2026-02-30..2026-03-02 UTC": from "2026-02-30": expected a date YYYY-MM-DD or a date-time YYYY-MM-DDTHH:MM`,
  },
  {
    name: "freezes with a typo in the label key",
    config: (s) => `${s}freezes:\n  - lable: freeze\n`,
    // Not a date range, so the {label} shape is the one meant: its own problems name the typo.
    line: `${CONFIG}: freezes[0].label: is required (Invalid input: expected string, received undefined)`,
    more: [`${CONFIG}: freezes[0]: unknown key "lable" (a typo must not silently turn a setting off)`],
  },
  {
    name: "defaults.soak a number",
    config: replaceOnce("soak: 10m", "soak: 10"),
    line: `${CONFIG}: defaults.soak: 10: Invalid input: expected string, received number`,
  },
  ...[
    ["config", "config: clusters/replicore-a/replicante.yaml", "../etc/replicante.yaml"],
    ["config", "config: clusters/replicore-a/replicante.yaml", "/etc/replicante.yaml"],
    ["workdir", "workdir: clusters/replicore-a", "clusters/../../x"],
    ["workdir", "workdir: clusters/replicore-a", "/tmp"],
    ["workdir", "workdir: clusters/replicore-a", "clusters\\replicore-a"],
    ["restart.file", "file: clusters/replicore-a/statefulset.yaml", "../statefulset.yaml"],
    ["restart.file", "file: clusters/replicore-a/statefulset.yaml", "/etc/statefulset.yaml"],
  ].map(
    ([field, from, value]): SchemaCase => ({
      name: `${field} ${JSON.stringify(value)}`,
      config: replaceOnce(from as string, `${(from as string).split(":")[0]}: ${JSON.stringify(value)}`),
      line: `${CONFIG}: clusters.replicore-a.${field}: ${JSON.stringify(value)}: ${PATH_RULE}`,
    }),
  ),
  {
    // "" is the repo root: both rules of a config path are broken, and both are named.
    name: 'config ""',
    config: replaceOnce("config: clusters/replicore-a/replicante.yaml", 'config: ""'),
    line: `${CONFIG}: clusters.replicore-a.config: "": ${PATH_RULE}`,
    more: [`${CONFIG}: clusters.replicore-a.config: "": ${FILE_RULE}`],
  },
  ...[".", "clusters/replicore-a/", "./"].map(
    (value): SchemaCase => ({
      name: `config ${JSON.stringify(value)}`,
      config: replaceOnce("config: clusters/replicore-a/replicante.yaml", `config: ${JSON.stringify(value)}`),
      line: `${CONFIG}: clusters.replicore-a.config: ${JSON.stringify(value)}: ${FILE_RULE}`,
    }),
  ),
  {
    name: "a cluster name with uppercase letters",
    config: replaceOnce("  replicore-a:", "  Replicore-A:"),
    line: `${CONFIG}: clusters: key "Replicore-A": expected a cluster name: lowercase letters, digits, . _ -`,
  },
  {
    name: "a mounts key that is not absolute",
    config: replaceOnce("{ /opt/replicante:", "{ opt/replicante:"),
    line: `${CONFIG}: clusters.replicore-a.mounts: key "opt/replicante": expected an absolute path such as /opt/replicante`,
  },
  {
    name: "a health entry with an unknown kind",
    config: replaceOnce("      - deployment: replicore-a", "      - probe: replicore-a"),
    line: `${CONFIG}: clusters.replicore-a.health[1]: {"probe":"replicore-a"}: ${HEALTH_RULE}`,
  },
  {
    name: "a health entry with two kinds in one entry",
    config: replaceOnce("      - deployment: replicore-a", "      - deployment: replicore-a\n        status: x"),
    line: `${CONFIG}: clusters.replicore-a.health[1]: {"deployment":"replicore-a","status":"x"}: ${HEALTH_RULE}`,
  },
  ...["../apply", "/apply"].map(
    (value): SchemaCase => ({
      name: `settings_dir ${JSON.stringify(value)}`,
      config: replaceOnce(
        "    workdir: clusters/replicore-a",
        `    workdir: clusters/replicore-a\n    discovery: settings\n    settings_dir: ${value}`,
      ),
      line: `${CONFIG}: clusters.replicore-a.settings_dir: ${JSON.stringify(value)}: ${PATH_RULE}`,
    }),
  ),
  ...["../x", "/etc"].map(
    (value): SchemaCase => ({
      name: `mounts value ${JSON.stringify(value)}`,
      config: replaceOnce("mounts: { /opt/replicante: clusters/replicore-a }", `mounts: { /opt/replicante: ${value} }`),
      line: `${CONFIG}: clusters.replicore-a.mounts./opt/replicante: ${JSON.stringify(value)}: ${PATH_RULE}`,
    }),
  ),
  {
    name: "bad permission name",
    config: replaceOnce("permission: write", "permission: writer"),
    line: `${CONFIG}: commands.permission: "writer": Invalid option: expected one of "read"|"triage"|"write"|"maintain"|"admin"`,
  },
  {
    name: "bad elevated permission name",
    config: replaceOnce("elevated: maintain", "elevated: owner"),
    line: `${CONFIG}: commands.elevated: "owner": Invalid option: expected one of "read"|"triage"|"write"|"maintain"|"admin"`,
  },
  {
    name: "version: 2",
    config: replaceOnce("version: 1", "version: 2"),
    line: `${CONFIG}: version: 2: Invalid input: expected 1`,
  },
  {
    name: "health http with a non-http URL",
    config: replaceOnce("      - deployment: replicore-a", "      - http: ftp://replicore-a.internal/health"),
    line: `${CONFIG}: clusters.replicore-a.health[1].http: "ftp://replicore-a.internal/health": expected an http(s) URL`,
  },
  {
    name: "discovery: settings without settings_dir",
    config: cluster("discovery", "settings"),
    line: `${CONFIG}: clusters.replicore-a.settings_dir: is required (is required when discovery is settings)`,
  },
  {
    name: "settings_dir on a cluster declared files era",
    config: cluster("discovery", "files\n    settings_dir: clusters/replicore-a/apply"),
    line: `${CONFIG}: clusters.replicore-a.settings_dir: "clusters/replicore-a/apply": is only used when discovery is settings (this cluster is files)`,
  },
  {
    name: "a cluster with no settings at all",
    config: replaceOnce("\ndefaults:", "  replicore-z:\n\ndefaults:"),
    line: `${CONFIG}: clusters.replicore-z: null: Invalid input: expected object, received null`,
  },
  {
    name: "an empty handover.yml",
    config: () => "",
    line: `${CONFIG}: (top level): null: Invalid input: expected object, received null`,
  },
];

describe("handover.yml that breaks the schema", () => {
  it.each(schemaCases)("$name: plan exits 2 naming the field and value", async ({ config, line, more = [] }) => {
    const repo = watchedCopy({ [CONFIG]: config });
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(
      run,
      [line, ...more].map((l) => `handover plan: ${l}`),
    );
  });

  it.each(schemaCases)(
    "$name: check exits 1 with an invalid-config violation per line",
    async ({ config, line, more = [] }) => {
      const repo = watchedCopy({ [CONFIG]: config });
      const run = await cli(["check", "--repo", repo, "--format", "json"]);
      expectClean(run);
      expect(run.err).toBe("");
      expect(JSON.parse(run.out)).toEqual({
        ok: false,
        violations: [line, ...more].map((message) => ({
          rule: "invalid-config",
          message,
          clusters: [],
          subject: CONFIG,
          files: [CONFIG],
        })),
      });
      expect(run.code).toBe(1);
    },
  );

  it("every problem of one handover.yml is reported at once, one line each", async () => {
    const repo = watchedCopy({
      [CONFIG]: (s) =>
        replaceOnce(
          "version: 1",
          "version: 2",
        )(replaceOnce("permission: write", "permission: writer")(cluster("soak", "10x")(s))),
    });
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(run, [
      `handover plan: ${CONFIG}: version: 2: Invalid input: expected 1`,
      `handover plan: ${CONFIG}: clusters.replicore-a.soak: "10x": ${DURATION_RULE}`,
      `handover plan: ${CONFIG}: commands.permission: "writer": Invalid option: expected one of "read"|"triage"|"write"|"maintain"|"admin"`,
    ]);
  });

  it("clusters written as a list, plus an unknown key: both reported", async () => {
    const repo = watchedCopy({ [CONFIG]: replaceOnce("clusters:\n", "clusters: []\nclusterz:\n") });
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(run, [
      `handover plan: ${CONFIG}: clusters: []: Invalid input: expected record, received array`,
      `handover plan: ${CONFIG}: unknown key "clusterz" (a typo must not silently turn a setting off)`,
    ]);
  });

  it("settings_dir on a cluster inferred as files era is refused, naming the field, value and era", async () => {
    const files = { [CONFIG]: cluster("settings_dir", "docs"), "docs/runbook.md": "# runbook\n" };
    const line = `${CONFIG}: clusters.replicore-a.settings_dir: "docs": is only used by the settings era, and replicore-a is files era (${CORE_A} has discovery.backends.files)`;
    const run = await cli(["plan", "--repo", watchedCopy(files), "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(run, [`handover plan: ${line}`]);

    const checked = await cli(["check", "--repo", watchedCopy(files), "--format", "json"]);
    expectClean(checked);
    expect(checked.err).toBe("");
    expect(JSON.parse(checked.out)).toEqual({
      ok: false,
      violations: [
        { rule: "invalid-config", message: line, clusters: ["replicore-a"], subject: "settings_dir", files: [CONFIG] },
      ],
    });
    expect(checked.code).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------------
// handover.yml that cannot be read at all: both commands exit 2.

const unreadableCases: { name: string; config: Mutation; line: string }[] = [
  {
    name: "malformed YAML",
    config: replaceOnce("version: 1", "version: [1"),
    line: `${CONFIG}:4:1: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
  },
  {
    name: "a duplicated key",
    config: replaceOnce("  timeout: 2h", "  timeout: 2h\n  soak: 5m"),
    line: `${CONFIG}:21:3: malformed YAML: Map keys must be unique`,
  },
  {
    name: "an alias bomb (billion laughs) as the whole file",
    config: BOMB,
    line: `${CONFIG}: YAML rejected: Excessive alias count indicates a resource exhaustion attack`,
  },
  {
    name: "an alias bomb appended to a valid file",
    config: (s) => `${s}\n${BOMB.replace(/^a:/m, "laughs:")}`,
    line: `${CONFIG}: YAML rejected: Excessive alias count indicates a resource exhaustion attack`,
  },
  {
    name: "no handover.yml",
    config: null,
    line: `${CONFIG} is missing: it says where each Replicante Core cluster lives (run \`handover init\`)`,
  },
];

describe("handover.yml that cannot be read", () => {
  it.each(unreadableCases)("$name: plan exits 2", async ({ config, line }) => {
    const repo = watchedCopy({ [CONFIG]: config });
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(run, [`handover plan: ${line}`]);
  });

  it.each(unreadableCases)("$name: check exits 2", async ({ config, line }) => {
    const repo = watchedCopy({ [CONFIG]: config });
    const run = await cli(["check", "--repo", repo, "--format", "json"]);
    expectInputError(run, [`handover check: ${line}`]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Files handover.yml points at: a bad Core config or discovery file is a violation of `check` (exit 1).

interface FileCase {
  name: string;
  files: Record<string, Mutation>;
  violation: { rule: string; message: string; clusters: string[]; subject: string; files: string[] };
}

const fileCases: FileCase[] = [
  {
    name: "missing Core config",
    files: { [CORE_A]: null },
    violation: {
      rule: "invalid-config",
      message: `cluster replicore-a: Core config ${CORE_A} does not exist`,
      clusters: ["replicore-a"],
      subject: CORE_A,
      files: [CONFIG],
    },
  },
  {
    name: "malformed Core config",
    files: { [CORE_A]: replaceOnce("api:\n", "api: [\n") },
    violation: {
      rule: "invalid-config",
      message: `cluster replicore-a: ${CORE_A}:5:1: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
      clusters: ["replicore-a"],
      subject: CORE_A,
      files: [CORE_A],
    },
  },
  {
    name: "discovery.backends.files that is not a list",
    files: { [CORE_A]: replaceOnce("    files:\n", "    files: 'conf.d'\n    filez:\n") },
    violation: {
      rule: "invalid-config",
      message: `cluster replicore-a: ${CORE_A}: discovery.backends.files: "conf.d": expected a list of backends`,
      clusters: ["replicore-a"],
      subject: "discovery.backends.files",
      files: [CORE_A],
    },
  },
  {
    name: "a discovery.backends.files entry that is a number",
    files: { [CORE_A]: replaceOnce("- 'conf.d/kafka.yaml'", "- 5") },
    violation: {
      rule: "invalid-config",
      message: `cluster replicore-a: ${CORE_A}: discovery.backends.files: 5: expected a file path`,
      clusters: ["replicore-a"],
      subject: "5",
      files: [CORE_A],
    },
  },
];

describe("a Core config that cannot be read or has a bad backend list", () => {
  it.each(fileCases)("$name: check exits 1 with the violation", async ({ files, violation }) => {
    const repo = watchedCopy(files);
    const run = await cli(["check", "--repo", repo, "--format", "json"]);
    expectClean(run);
    expect(run.err).toBe("");
    expect(JSON.parse(run.out)).toEqual({ ok: false, violations: [violation] });
    expect(run.code).toBe(1);
  });

  it("a Core config that is a list: check names it as not a mapping", async () => {
    const repo = watchedCopy({ [CORE_A]: "- a\n- b\n" });
    const run = await cli(["check", "--repo", repo, "--format", "json"]);
    expect(JSON.parse(run.out)).toEqual({
      ok: false,
      violations: [
        {
          rule: "invalid-config",
          message: `cluster replicore-a: ${CORE_A}: expected a YAML mapping (the Replicante Core config)`,
          clusters: ["replicore-a"],
          subject: CORE_A,
          files: [CORE_A],
        },
      ],
    });
    expect(run.code).toBe(1);
  });

  // A missing or malformed Core config (or a backend list that is not a list of paths) is input to fix: exit 2,
  // like a schema error in handover.yml, with the first line naming the file.
  it.each(fileCases)("$name: plan exits 2, its first line naming the file", async ({ files, violation }) => {
    const repo = watchedCopy(files);
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectClean(run);
    expect(run.out).toBe("");
    expect(run.code).toBe(2);
    expect(run.err.split("\n")[0]).toBe(`handover plan: ${violation.message}`);
  });

  // The Core config is at fault, not the issue: no line may blame the issue's groups.
  it.each(fileCases)("$name: plan exits 2 with only the line naming the file", async ({ files, violation }) => {
    const repo = watchedCopy(files);
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(run, [`handover plan: ${violation.message}`]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// The migration issue.

interface IssueCase {
  name: string;
  issue: (body: string) => string;
  /** Every stderr line; `issue` is the path of the issue file. */
  lines: (issue: string) => string[];
}

const NOTES =
  'Upgrade notes: the box "I have read the upgrade notes for the target version" is not ticked: read the upgrade notes for 0.3.1 first (step 1 of the breaking upgrade); Handover does not start until it is ticked';
const GROUP_RULE = "expected lowercase letters, digits and -, starting with a letter or digit, at most 40 characters";
const groups = (text: string) => setSection("Backend groups", text);

const issueCases: IssueCase[] = [
  {
    name: "missing source",
    issue: setSection("Source cluster", ""),
    lines: (f) => [`handover plan: ${f}: Source cluster: is required (the cluster name as in .github/handover.yml)`],
  },
  {
    name: "source section left out",
    issue: replaceOnce("### Source cluster\n\nreplicore-a\n\n", ""),
    lines: (f) => [`handover plan: ${f}: Source cluster: is required (the cluster name as in .github/handover.yml)`],
  },
  {
    name: "source answered _No response_",
    issue: setSection("Source cluster", "_No response_"),
    lines: (f) => [`handover plan: ${f}: Source cluster: is required (the cluster name as in .github/handover.yml)`],
  },
  {
    name: "unknown source cluster",
    issue: setSection("Source cluster", "replicore-x"),
    lines: () => [
      'handover plan: Source cluster: "replicore-x" is not a cluster in .github/handover.yml (clusters: replicore-a)',
    ],
  },
  {
    name: "target name that is not a cluster name",
    issue: setSection("Target cluster", "Replicore B"),
    lines: (f) => [
      `handover plan: ${f}: Target cluster: "Replicore B": expected a cluster name (lowercase letters, digits, . _ -)`,
    ],
  },
  {
    name: "source = target",
    issue: setSection("Target cluster", "replicore-a"),
    lines: (f) => [
      `handover plan: ${f}: Target cluster: "replicore-a" is the source cluster too: a breaking upgrade moves backends to a new cluster`,
    ],
  },
  {
    name: "bad version",
    issue: setSection("Target version", "0.3"),
    lines: (f) => [`handover plan: ${f}: Target version: "0.3": expected a version such as 0.3.1`],
  },
  {
    name: "missing version",
    issue: setSection("Target version", ""),
    lines: (f) => [`handover plan: ${f}: Target version: is required (e.g. 0.3.1)`],
  },
  {
    name: "bad soak",
    issue: setSection("Soak time", "15 minutes"),
    lines: (f) => [`handover plan: ${f}: Soak time: "15 minutes": expected a duration such as 30s, 15m or 2h`],
  },
  {
    name: "soak in days",
    issue: setSection("Soak time", "1d"),
    lines: (f) => [`handover plan: ${f}: Soak time: "1d": expected a duration such as 30s, 15m or 2h`],
  },
  {
    name: "unticked upgrade notes",
    issue: replaceOnce("- [x]", "- [ ]"),
    lines: (f) => [`handover plan: ${f}: ${NOTES}`],
  },
  {
    name: "missing upgrade notes section",
    issue: (body) => body.replace(/### Upgrade notes[\s\S]*$/, ""),
    lines: (f) => [`handover plan: ${f}: ${NOTES}`],
  },
  {
    name: "group name Canary",
    issue: groups("Canary: mongo\nrest: *"),
    lines: (f) => [`handover plan: ${f}: Backend groups: line 1: group name "Canary": ${GROUP_RULE}`],
  },
  {
    name: "group name -x",
    issue: groups("canary: mongo\n-x: kafka\nrest: *"),
    lines: (f) => [`handover plan: ${f}: Backend groups: line 2: group name "-x": ${GROUP_RULE}`],
  },
  {
    name: "group name of 41 characters",
    issue: groups(`${"g".repeat(41)}: mongo\nrest: *`),
    lines: (f) => [`handover plan: ${f}: Backend groups: line 1: group name "${"g".repeat(41)}": ${GROUP_RULE}`],
  },
  {
    name: "group with no backends",
    issue: groups("canary:\nrest: *"),
    lines: (f) => [
      `handover plan: ${f}: Backend groups: line 1: group "canary" names no backend (write \`canary: id, id\` or \`canary: *\`)`,
    ],
  },
  {
    name: "group line without a colon",
    issue: groups("mongo kafka"),
    lines: (f) => [
      `handover plan: ${f}: Backend groups: line 1: "mongo kafka": expected \`name: backend, backend\` (e.g. \`canary: mongo\`)`,
    ],
  },
  {
    name: "group name used twice",
    issue: groups("canary: mongo\ncanary: kafka\nrest: *"),
    lines: (f) => [`handover plan: ${f}: Backend groups: line 2: group name "canary" is used twice`],
  },
  {
    name: "unknown backend id",
    issue: groups("canary: postgres\nrest: *"),
    lines: () => [
      'handover plan: Backend groups: line 1: "postgres" is not a backend of replicore-a (its backends: kafka, mongo, zookeeper)',
    ],
  },
  {
    name: "a backend in two groups",
    issue: groups("canary: mongo\nwave-1: kafka, mongo\nrest: *"),
    lines: () => ['handover plan: Backend groups: line 2: backend "mongo" is already in group "canary"'],
  },
  {
    name: "* twice",
    issue: groups("canary: mongo\nrest: *\nmore: *"),
    lines: (f) => [`handover plan: ${f}: Backend groups: \`*\` may appear in one line only`],
  },
  {
    name: "* beside a backend",
    issue: groups("canary: mongo, *"),
    lines: (f) => [
      `handover plan: ${f}: Backend groups: line 1: \`*\` must stand alone in its line (it means every backend not named before)`,
    ],
  },
  {
    name: "backends left out of every group",
    issue: groups("canary: mongo\nwave-1: kafka"),
    lines: () => [
      "handover plan: Backend groups: backends zookeeper of replicore-a are in no group: name them in a line or add `rest: *` (decommission would otherwise delete them with the old cluster)",
    ],
  },
  {
    name: "an empty issue body",
    issue: () => "",
    lines: (f) => [
      `handover plan: ${f}: Source cluster: is required (the cluster name as in .github/handover.yml)`,
      `handover plan: ${f}: Target cluster: is required (the cluster name as in .github/handover.yml)`,
      `handover plan: ${f}: Target version: is required (e.g. 0.3.1)`,
      `handover plan: ${f}: ${NOTES.replace(" for 0.3.1", "")}`,
    ],
  },
  {
    name: "all problems at once",
    issue: (body) =>
      [
        setSection("Source cluster", ""),
        setSection("Target cluster", "Replicore_B"),
        setSection("Target version", "x.y"),
        groups("Canary: mongo\nrest: *\nmore: *"),
        setSection("Soak time", "1d"),
        replaceOnce("- [x]", "- [ ]"),
      ].reduce((text, edit) => edit(text), body),
    lines: (f) => [
      `handover plan: ${f}: Source cluster: is required (the cluster name as in .github/handover.yml)`,
      `handover plan: ${f}: Target cluster: "Replicore_B": expected a cluster name (lowercase letters, digits, . _ -)`,
      `handover plan: ${f}: Target version: "x.y": expected a version such as 0.3.1`,
      `handover plan: ${f}: Backend groups: line 1: group name "Canary": ${GROUP_RULE}`,
      `handover plan: ${f}: Backend groups: \`*\` may appear in one line only`,
      `handover plan: ${f}: Soak time: "1d": expected a duration such as 30s, 15m or 2h`,
      `handover plan: ${f}: ${NOTES.replace(" for 0.3.1", "")}`,
    ],
  },
];

describe("the migration issue", () => {
  it.each(issueCases)("$name: plan exits 2 naming the field and value", async ({ issue, lines }) => {
    const repo = watchedCopy();
    const file = issueFile(issue(EXAMPLE_ISSUE));
    const run = await cli(["plan", "--repo", repo, "--issue", file, "--number", "42"]);
    expectInputError(run, lines(file));
  });

  it("problems in the body and against the repo are reported together", async () => {
    const repo = watchedCopy();
    const file = issueFile(replaceOnce("- [x]", "- [ ]")(setSection("Source cluster", "replicore-x")(EXAMPLE_ISSUE)));
    const run = await cli(["plan", "--repo", repo, "--issue", file]);
    expectInputError(run, [
      `handover plan: ${file}: ${NOTES}`,
      'handover plan: Source cluster: "replicore-x" is not a cluster in .github/handover.yml (clusters: replicore-a)',
    ]);
  });

  it("problems in the body and in handover.yml are reported together", async () => {
    const repo = watchedCopy({ [CONFIG]: replaceOnce("version: 1", "version: 2") });
    const file = issueFile(replaceOnce("- [x]", "- [ ]")(EXAMPLE_ISSUE));
    const run = await cli(["plan", "--repo", repo, "--issue", file]);
    expectInputError(run, [
      `handover plan: ${file}: ${NOTES}`,
      `handover plan: ${CONFIG}: version: 2: Invalid input: expected 1`,
    ]);
  });

  it("an unknown backend and an unticked box are reported together", async () => {
    const repo = watchedCopy();
    const file = issueFile(replaceOnce("- [x]", "- [ ]")(groups("canary: postgres\nrest: *")(EXAMPLE_ISSUE)));
    const run = await cli(["plan", "--repo", repo, "--issue", file]);
    expectInputError(run, [
      `handover plan: ${file}: ${NOTES}`,
      'handover plan: Backend groups: line 1: "postgres" is not a backend of replicore-a (its backends: kafka, mongo, zookeeper)',
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Flags, commands and paths on the command line.

interface ArgvCase {
  name: string;
  argv: (ctx: { repo: string; issue: string }) => string[];
  lines: (ctx: { repo: string; issue: string }) => string[];
}

const argvCases: ArgvCase[] = [
  {
    name: "an issue file that does not exist",
    argv: ({ repo }) => ["plan", "--repo", repo, "--issue", "/nonexistent/handover/issue.md"],
    lines: () => ["handover plan: --issue /nonexistent/handover/issue.md: no such file"],
  },
  {
    name: "an issue path that is a directory",
    argv: ({ repo }) => ["plan", "--repo", repo, "--issue", repo],
    lines: ({ repo }) => [`handover plan: --issue ${repo}: is a directory`],
  },
  {
    name: "plan: a repo dir that does not exist",
    argv: ({ issue }) => ["plan", "--repo", "/nonexistent/handover/repo", "--issue", issue],
    lines: () => ["handover plan: --repo /nonexistent/handover/repo: no such directory"],
  },
  {
    name: "check: a repo dir that does not exist",
    argv: () => ["check", "--repo", "/nonexistent/handover/repo"],
    lines: () => ["handover check: --repo /nonexistent/handover/repo: no such directory"],
  },
  {
    name: "init: a repo dir that does not exist",
    argv: () => ["init", "--repo", "/nonexistent/handover/repo"],
    lines: () => ["handover init: --repo /nonexistent/handover/repo: no such directory"],
  },
  {
    name: "check: --repo pointing at a file",
    argv: ({ issue }) => ["check", "--repo", issue],
    lines: ({ issue }) => [`handover check: --repo ${issue}: not a directory`],
  },
  {
    name: "plan: --repo pointing at a file",
    argv: ({ issue }) => ["plan", "--repo", issue, "--issue", issue],
    lines: ({ issue }) => [`handover plan: --repo ${issue}: not a directory`],
  },
  {
    name: "init: --repo pointing at a file",
    argv: ({ repo }) => ["init", "--repo", join(repo, "README.md")],
    lines: ({ repo }) => [`handover init: --repo ${join(repo, "README.md")}: not a directory`],
  },
  {
    name: "check --format yaml",
    argv: ({ repo }) => ["check", "--repo", repo, "--format", "yaml"],
    lines: () => ["error: option '--format <format>' argument 'yaml' is invalid. expected text or json"],
  },
  {
    name: "plan --format yaml",
    argv: ({ repo, issue }) => ["plan", "--repo", repo, "--issue", issue, "--format", "yaml"],
    lines: () => ["error: option '--format <format>' argument 'yaml' is invalid. expected text or json"],
  },
  ...["abc", "-1", "4.2", "", "1e3"].map(
    (n): ArgvCase => ({
      name: `--number ${JSON.stringify(n)}`,
      argv: ({ repo, issue }) => ["plan", "--repo", repo, "--issue", issue, `--number=${n}`],
      lines: () => [
        `error: option '--number <n>' argument '${n}' is invalid. expected the issue number, a whole number`,
      ],
    }),
  ),
  {
    name: "unknown command",
    argv: () => ["frobnicate", "--repo", "x"],
    lines: () => ["error: unknown command 'frobnicate'"],
  },
  {
    name: "unknown flag",
    argv: ({ repo }) => ["check", "--repo", repo, "--verbose"],
    lines: () => ["error: unknown option '--verbose'"],
  },
  {
    name: "check without --repo",
    argv: () => ["check"],
    lines: () => ["error: required option '--repo <dir>' not specified"],
  },
  {
    name: "plan without --issue",
    argv: ({ repo }) => ["plan", "--repo", repo],
    lines: () => ["error: required option '--issue <file>' not specified"],
  },
  {
    name: "init without --repo",
    argv: () => ["init"],
    lines: () => ["error: required option '--repo <dir>' not specified"],
  },
];

describe("the command line", () => {
  it.each(argvCases)("$name: exits 2 with one line", async ({ argv, lines }) => {
    const ctx = { repo: watchedCopy(), issue: issueFile(EXAMPLE_ISSUE) };
    const run = await cli(argv(ctx));
    expectInputError(run, lines(ctx));
  });

  it.each([
    ["--number 0", ["--number", "0"]],
    ["no --number (default 0)", []],
  ])("%s: any whole number is an issue number, 0 included", async (_name, flag) => {
    const run = await cli([
      "plan",
      "--repo",
      watchedCopy(),
      "--issue",
      issueFile(EXAMPLE_ISSUE),
      ...flag,
      "--format",
      "json",
    ]);
    expectClean(run);
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    const plan = JSON.parse(run.out) as { issue: number; steps: { id: string; branch: string; title: string }[] };
    expect(plan.issue).toBe(0);
    expect(plan.steps[0]).toMatchObject({
      id: "prepare",
      branch: "handover/0/prepare",
      title: "[handover #0] Prepare replicore-b for Replicante Core 0.3.1",
    });
  });

  it("no command at all: exits 2 and prints the usage on stderr", async () => {
    const run = await cli([]);
    expectClean(run);
    expect(run.code).toBe(2);
    expect(run.out).toBe("");
    expect(run.err.split("\n")[0]).toBe("Usage: handover [options] [command]");
    for (const command of ["plan", "check", "schema", "init"])
      expect(run.err).toMatch(new RegExp(`^  ${command} \\[options\\]`, "m"));
  });

  it("init into a path below a file writes nothing", async () => {
    const dir = tempDir("init-bad");
    const before = hashTree(dir);
    const below = join(dir, "README.md", "sub");
    const run = await cli(["init", "--repo", below]);
    expectInputError(run, [`handover init: --repo ${below}: no such directory`]);
    expect(hashTree(dir)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Invariant refusals: exit 1, naming the rule on stderr and the culprit on stdout.

interface RefusalCase {
  name: string;
  files: Record<string, Mutation>;
  violations: { rule: string; message: string; clusters: string[]; subject: string; files: string[] }[];
}

const withB = (
  files: string,
  deps: Parameters<typeof coreConfig>[1] = {},
  extra: Record<string, Mutation> = {},
): Record<string, Mutation> => ({
  [CONFIG]: addCluster("replicore-b", [`config: ${CORE_B}`]),
  [CORE_B]: coreConfig(files, deps),
  ...extra,
});

const PROD_URI = "mongodb://mongo1.prod:27017,mongo2.prod:27017,mongo3.prod:27017/?replicaSet=replistore";

const refusalCases: RefusalCase[] = [
  {
    name: "a target that already references the source's mongo discovery file",
    files: withB("['../replicore-a/conf.d/mongo.yaml']"),
    violations: [
      {
        rule: "shared-backend",
        message:
          "discovery backend clusters/replicore-a/conf.d/mongo.yaml is referenced by replicore-a (clusters/replicore-a/conf.d/mongo.yaml) and replicore-b (clusters/replicore-a/conf.d/mongo.yaml)",
        clusters: ["replicore-a", "replicore-b"],
        subject: "clusters/replicore-a/conf.d/mongo.yaml",
        files: ["clusters/replicore-a/conf.d/mongo.yaml"],
      },
    ],
  },
  {
    name: "a target sharing the source's storage uri and db",
    files: withB("[]", { uri: PROD_URI }),
    violations: [
      {
        rule: "shared-dependency",
        message: `storage.options.uri (uri ${PROD_URI} db replicore) is shared by replicore-a (${CORE_A}) and replicore-b (${CORE_B}): a new cluster needs its own dependencies`,
        clusters: ["replicore-a", "replicore-b"],
        subject: "mongo1.prod:27017,mongo2.prod:27017,mongo3.prod:27017|replicore",
        files: [CORE_A, CORE_B],
      },
    ],
  },
  {
    name: "a second cluster whose discovery file has the same cluster_id",
    files: withB(
      "['conf.d/orders.yaml']",
      {},
      {
        "clusters/replicore-b/conf.d/orders.yaml":
          "- cluster_id: mongo-rs-orders\n  nodes: ['http://mongo-orders-9.data:37017']\n",
      },
    ),
    violations: [
      {
        rule: "shared-datastore",
        message:
          "datastore cluster_id mongo-rs-orders is reachable from replicore-a (clusters/replicore-a/conf.d/mongo.yaml) and replicore-b (clusters/replicore-b/conf.d/orders.yaml)",
        clusters: ["replicore-a", "replicore-b"],
        subject: "mongo-rs-orders",
        files: ["clusters/replicore-a/conf.d/mongo.yaml", "clusters/replicore-b/conf.d/orders.yaml"],
      },
    ],
  },
  {
    name: "an absolute discovery entry under no mount",
    files: { [CONFIG]: replaceOnce("    mounts: { /opt/replicante: clusters/replicore-a }\n", "") },
    violations: [
      {
        rule: "missing-discovery-file",
        message:
          'cluster replicore-a: discovery file absolute path "/opt/replicante/conf.d/zookeeper.yaml" is under no entry of mounts',
        clusters: ["replicore-a"],
        subject: "/opt/replicante/conf.d/zookeeper.yaml",
        files: [CORE_A],
      },
    ],
  },
  {
    name: "a discovery file that does not exist",
    files: { "clusters/replicore-a/conf.d/kafka.yaml": null },
    violations: [
      {
        rule: "missing-discovery-file",
        message:
          'cluster replicore-a: discovery file "conf.d/kafka.yaml" (clusters/replicore-a/conf.d/kafka.yaml) does not exist',
        clusters: ["replicore-a"],
        subject: "conf.d/kafka.yaml",
        files: [CORE_A, "clusters/replicore-a/conf.d/kafka.yaml"],
      },
    ],
  },
  {
    name: "a relative discovery entry that leaves the repo",
    files: { [CORE_A]: replaceOnce("'conf.d/kafka.yaml'", "'../../../etc/passwd'") },
    violations: [
      {
        rule: "missing-discovery-file",
        message: 'cluster replicore-a: discovery file "../../../etc/passwd" leaves the repo',
        clusters: ["replicore-a"],
        subject: "../../../etc/passwd",
        files: [CORE_A],
      },
    ],
  },
  {
    name: "an absolute discovery entry that leaves the repo through its mount",
    files: { [CORE_A]: replaceOnce("/opt/replicante/conf.d/zookeeper.yaml", "/opt/replicante/../../../etc/passwd") },
    violations: [
      {
        rule: "missing-discovery-file",
        message: 'cluster replicore-a: discovery file "/opt/replicante/../../../etc/passwd" leaves the repo',
        clusters: ["replicore-a"],
        subject: "/opt/replicante/../../../etc/passwd",
        files: [CORE_A],
      },
    ],
  },
  {
    name: "an alias bomb (billion laughs) in a discovery file",
    files: { "clusters/replicore-a/conf.d/kafka.yaml": BOMB_LIST },
    violations: [
      {
        rule: "malformed-discovery-file",
        message:
          "cluster replicore-a: clusters/replicore-a/conf.d/kafka.yaml: YAML rejected: Excessive alias count indicates a resource exhaustion attack",
        clusters: ["replicore-a"],
        subject: "conf.d/kafka.yaml",
        files: ["clusters/replicore-a/conf.d/kafka.yaml"],
      },
    ],
  },
  {
    name: "a discovery file entry without nodes",
    files: { "clusters/replicore-a/conf.d/zookeeper.yaml": "- cluster_id: zookeeper-main\n" },
    violations: [
      {
        rule: "malformed-discovery-file",
        message:
          "cluster replicore-a: clusters/replicore-a/conf.d/zookeeper.yaml: [0].nodes: (missing): expected a list of agent URLs",
        clusters: ["replicore-a"],
        subject: "/opt/replicante/conf.d/zookeeper.yaml",
        files: ["clusters/replicore-a/conf.d/zookeeper.yaml"],
      },
    ],
  },
  {
    name: "a discovery file with a numeric cluster_id",
    files: { "clusters/replicore-a/conf.d/zookeeper.yaml": "- cluster_id: 5\n  nodes: []\n" },
    violations: [
      {
        rule: "malformed-discovery-file",
        message:
          "cluster replicore-a: clusters/replicore-a/conf.d/zookeeper.yaml: [0].cluster_id: 5: expected the datastore cluster id",
        clusters: ["replicore-a"],
        subject: "/opt/replicante/conf.d/zookeeper.yaml",
        files: ["clusters/replicore-a/conf.d/zookeeper.yaml"],
      },
    ],
  },
  {
    name: "an empty discovery file",
    files: { "clusters/replicore-a/conf.d/zookeeper.yaml": "" },
    violations: [
      {
        rule: "malformed-discovery-file",
        message:
          "cluster replicore-a: clusters/replicore-a/conf.d/zookeeper.yaml: expected a list of clusters ({cluster_id, nodes}), got null",
        clusters: ["replicore-a"],
        subject: "/opt/replicante/conf.d/zookeeper.yaml",
        files: ["clusters/replicore-a/conf.d/zookeeper.yaml"],
      },
    ],
  },
  {
    name: "a malformed discovery file",
    files: {
      "clusters/replicore-a/conf.d/mongo.yaml": replaceOnce(
        "- cluster_id: mongo-rs-users",
        "- cluster_id: [mongo-rs-users",
      ),
    },
    violations: [
      {
        rule: "malformed-discovery-file",
        message:
          "cluster replicore-a: clusters/replicore-a/conf.d/mongo.yaml:9:3: malformed YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
        clusters: ["replicore-a"],
        subject: "conf.d/mongo.yaml",
        files: ["clusters/replicore-a/conf.d/mongo.yaml"],
      },
    ],
  },
  {
    name: "REPLACE-ME left in an existing cluster's config",
    files: withB("[]", { uri: "mongodb://REPLACE-ME:27017/" }),
    violations: [
      {
        rule: "unfinished-scaffold",
        message: `cluster replicore-b: ${CORE_B}: storage.options.uri is still "mongodb://REPLACE-ME:27017/": fill in the new cluster's own dependency`,
        clusters: ["replicore-b"],
        subject: "storage.options.uri",
        files: [CORE_B],
      },
    ],
  },
];

describe("invariant refusals", () => {
  it.each(refusalCases)("$name: check --format json exits 1 with the violations", async ({ files, violations }) => {
    const repo = watchedCopy(files);
    const run = await cli(["check", "--repo", repo, "--format", "json"]);
    expectClean(run);
    expect(run.err).toBe("");
    expect(JSON.parse(run.out)).toEqual({ ok: false, violations });
    expect(run.code).toBe(1);
  });

  it.each(refusalCases)("$name: check (text) exits 1 naming the rule and files", async ({ files, violations }) => {
    const repo = watchedCopy(files);
    const run = await cli(["check", "--repo", repo]);
    expectClean(run);
    expect(run.err).toBe("");
    const [violation] = violations;
    if (!violation) throw new Error("test set-up: no violation");
    expect(run.out).toBe(
      `1 violation in ${repo}:\n✗ ${violation.rule}: ${violation.message}\n    files: ${violation.files.join(", ")}\n\n` +
        `Rules broken: ${violation.rule} (${RULES[violation.rule as Rule]})\n`,
    );
    expect(run.code).toBe(1);
  });

  it.each(refusalCases)("$name: plan refuses with exit 1 before any step", async ({ files, violations }) => {
    const repo = watchedCopy(files);
    const issue = issueFile(EXAMPLE_ISSUE);
    const json = await cli(["plan", "--repo", repo, "--issue", issue, "--number", "42", "--format", "json"]);
    expectClean(json);
    const rules = [...new Set(violations.map((v) => v.rule))].join(", ");
    expect(json.err).toBe(`handover plan: refused: the repo already breaks the invariant (${rules})\n`);
    expect(JSON.parse(json.out)).toEqual({ ok: false, step: null, violations });
    expect(json.code).toBe(1);

    const text = await cli(["plan", "--repo", repo, "--issue", issue, "--number", "42"]);
    expect(text.code).toBe(1);
    expect(text.err).toBe(json.err);
    expect(text.out.split("\n").slice(0, 2)).toEqual([
      "Refused: the repo already breaks the invariant; no step is opened.",
      `✗ ${violations[0]?.rule}: ${violations[0]?.message}`,
    ]);
  });

  it("a step that would break the invariant is refused by its id (adopt into a settings_dir another cluster reads)", async () => {
    // replicore-new and replicore-c read the same (still empty) settings_dir: the repo is clean, but once adopt-canary
    // writes mongo-inventory there, both clusters reach it.
    const repo = tempDir("settings-shared");
    cpSync(join(ROOT, "test/fixtures/repos/settings"), repo, { recursive: true });
    const core = readFileSync(join(repo, "clusters/replicore-old/replicante.yaml"), "utf8");
    for (const [name, tag] of [
      ["replicore-new", "new"],
      ["replicore-c", "c"],
    ] as const) {
      mkdirSync(join(repo, "clusters", name));
      writeFileSync(join(repo, "clusters", name, "replicante.yaml"), core.replaceAll(".old", `.${tag}`));
    }
    const config = join(repo, CONFIG);
    writeFileSync(
      config,
      `${readFileSync(config, "utf8")}${["replicore-new", "replicore-c"]
        .map(
          (name) =>
            `  ${name}:\n    config: clusters/${name}/replicante.yaml\n    discovery: settings\n    settings_dir: shared/apply\n`,
        )
        .join("")}`,
    );
    watched.push({ dir: repo, before: hashTree(repo) });
    expect((await cli(["check", "--repo", repo])).code).toBe(0);
    const issue = issueFile(
      [
        setSection("Source cluster", "replicore-old"),
        setSection("Target cluster", "replicore-new"),
        setSection("Target version", "0.7.2"),
        groups("canary: mongo-inventory\nrest: *"),
      ].reduce((text, edit) => edit(text), EXAMPLE_ISSUE),
    );
    const run = await cli(["plan", "--repo", repo, "--issue", issue, "--number", "42", "--format", "json"]);
    expectClean(run);
    expect(run.err).toBe("handover plan: refused: step adopt-canary would break the invariant (shared-backend)\n");
    expect(JSON.parse(run.out)).toEqual({
      ok: false,
      step: "adopt-canary",
      violations: [
        {
          rule: "shared-backend",
          message:
            "discovery backend shared/apply/mongo.yaml is referenced by replicore-new (shared/apply/mongo.yaml) and replicore-c (shared/apply/mongo.yaml)",
          clusters: ["replicore-c", "replicore-new"],
          subject: "shared/apply/mongo.yaml",
          files: ["shared/apply/mongo.yaml"],
        },
      ],
    });
    expect(run.code).toBe(1);

    const text = await cli(["plan", "--repo", repo, "--issue", issue, "--number", "42"]);
    expect(text.code).toBe(1);
    expect(text.err).toBe(run.err);
  });

  it("adopting onto another cluster's own discovery file is refused, naming the file (never overwritten)", async () => {
    // replicore-b mounts /opt/replicante on replicore-c's dir, where c keeps a different conf.d/zookeeper.yaml:
    // copying replicore-a's zookeeper there would overwrite c's file.
    const CORE_C = "clusters/replicore-c/replicante.yaml";
    const repo = watchedCopy({
      [CONFIG]: (s) =>
        addCluster("replicore-c", [`config: ${CORE_C}`])(
          addCluster("replicore-b", [`config: ${CORE_B}`, "mounts: { /opt/replicante: clusters/replicore-c }"])(s),
        ),
      [CORE_B]: coreConfig("[]"),
      [CORE_C]: coreConfig("['conf.d/zookeeper.yaml']", { ensemble: "zk.c:2181", uri: "mongodb://c:27017/" }),
      "clusters/replicore-c/conf.d/zookeeper.yaml": "- cluster_id: zk-c\n  nodes: ['http://zk-c:3181']\n",
    });
    expect((await cli(["check", "--repo", repo])).code).toBe(0);
    const run = await cli([
      "plan",
      "--repo",
      repo,
      "--issue",
      issueFile(EXAMPLE_ISSUE),
      "--number",
      "42",
      "--format",
      "json",
    ]);
    expectInputError(run, [
      "handover plan: clusters/replicore-c/conf.d/zookeeper.yaml: a different file is already where replicore-a's zookeeper " +
        "(clusters/replicore-a/conf.d/zookeeper.yaml) would be copied into replicore-b; Handover never overwrites it: " +
        "rename one of them (or make them identical if it is the same backend) and plan again",
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Input that plan can only find out about while building steps.

describe("problems found while planning", () => {
  it("a restart file that does not exist: exit 2 naming the field and file", async () => {
    const repo = watchedCopy({ "clusters/replicore-a/statefulset.yaml": null });
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(run, [
      `handover plan: ${CONFIG}: clusters.replicore-a.restart.file: clusters/replicore-a/statefulset.yaml does not exist`,
    ]);
  });

  it("a scaffold that would overwrite a file: exit 2 naming it", async () => {
    const repo = watchedCopy({ [CORE_B]: "# someone else's file\n" });
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(run, [
      `handover plan: ${CORE_B} already exists: the scaffold for replicore-b would overwrite it; move it away or create replicore-b by hand`,
    ]);
  });

  it("an existing target without a mount for an absolute entry: exit 2 naming the entry", async () => {
    const repo = watchedCopy(withB("[]"));
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(run, [
      'handover plan: cluster replicore-b: cannot place discovery file /opt/replicante/conf.d/zookeeper.yaml: absolute path "/opt/replicante/conf.d/zookeeper.yaml" is under no entry of mounts (add a matching mounts entry for replicore-b)',
    ]);
  });

  it("a source path without the cluster name: the refusal says it does not contain the name", async () => {
    const repo = watchedCopy({
      [CONFIG]: replaceOnce("{ /opt/replicante: clusters/replicore-a }", "{ /opt/replicante: clusters/shared-conf }"),
      "clusters/shared-conf/conf.d/zookeeper.yaml": readFileSync(
        join(ROOT, "examples/config-repo/clusters/replicore-a/conf.d/zookeeper.yaml"),
        "utf8",
      ),
      "clusters/shared-conf/notes.md": "# notes\n",
    });
    const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
    expectInputError(run, [
      'handover plan: these paths of replicore-a (clusters/shared-conf/notes.md) do not contain the name "replicore-a", so Handover cannot tell ' +
        "where replicore-b's copies belong: create replicore-b's folder by hand with empty discovery, add it to .github/handover.yml, and file the issue again",
    ]);
  });

  const RESTART_EDIT =
    `handover plan: clusters/replicore-a/statefulset.yaml: cannot bump the restart key of replicore-a (clusters.replicore-a.restart in ${CONFIG}): ` +
    'cannot edit spec.template.metadata.annotations."handover.replicante.io/restart": ';
  it.each([
    [
      "a restart document that does not exist",
      { [CONFIG]: replaceOnce("document: 1", "document: 5") },
      "document 5 does not exist (the file has 2)",
    ],
    [
      "a malformed restart file",
      { "clusters/replicore-a/statefulset.yaml": (s: string) => `${s}\nfoo: [\n` },
      "the file is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 46, column 1:",
    ],
  ] as [string, Record<string, Mutation>, string][])(
    "%s: exit 2, the message names the restart file and the field",
    async (_name, files, why) => {
      const repo = watchedCopy(files);
      const run = await cli(["plan", "--repo", repo, "--issue", issueFile(EXAMPLE_ISSUE)]);
      expectInputError(run, [`${RESTART_EDIT}${why}`]);
    },
  );

  // The target already lists a discovery file at the same relative path as a moved backend (a different datastore):
  // the copy must neither overwrite it nor be dropped as "already there" (released, never adopted, then deleted).
  it("a target discovery file clashing with a moved backend is refused, naming it", async () => {
    const repo = watchedCopy({
      [CONFIG]: addCluster("replicore-b", [`config: ${CORE_B}`, "mounts: { /opt/replicante: clusters/replicore-b }"]),
      [CORE_B]: coreConfig("['conf.d/mongo.yaml']"),
      "clusters/replicore-b/conf.d/mongo.yaml":
        "- cluster_id: mongo-rs-billing\n  nodes: ['http://billing-1.data:37017']\n",
    });
    const run = await cli([
      "plan",
      "--repo",
      repo,
      "--issue",
      issueFile(EXAMPLE_ISSUE),
      "--number",
      "42",
      "--format",
      "json",
    ]);
    expectInputError(run, [
      "handover plan: clusters/replicore-b/conf.d/mongo.yaml: a different file is already where replicore-a's mongo " +
        "(clusters/replicore-a/conf.d/mongo.yaml) would be copied into replicore-b; Handover never overwrites it: " +
        "rename one of them (or make them identical if it is the same backend) and plan again",
    ]);
  });
});
