import { Command, CommanderError, InvalidArgumentError } from "commander";
import { InputError } from "../spec/problems.js";
import { checkCommand } from "./check.js";
import { initCommand } from "./init.js";
import { EXIT, parseFormat, processIo, type Io } from "./io.js";
import { planCommand } from "./plan.js";
import { DEPLOY_SYSTEMS, type DeploySystem } from "../rehearse/deploy.js";
import { rehearseCommand } from "./rehearse.js";
import { statusCommand } from "./status.js";
import { configJsonSchema, configReferenceMarkdown } from "./schema.js";
import { VERSION } from "../version.js";

function issueNumber(value: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new InvalidArgumentError("expected the issue number, a whole number");
  return Number(value);
}

function wholeNumber(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError("expected a whole number");
  return Number(value);
}

function instant(value: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError("expected an ISO 8601 time with its offset, e.g. 2026-03-27T15:00:00Z");
  return Date.parse(value);
}

function positive(value: string): number {
  if (!/^[1-9]$/.test(value)) throw new InvalidArgumentError("expected a number of replicas from 1 to 9");
  return Number(value);
}

function mergeMethod(value: string): "merge" | "squash" | "rebase" {
  if (value !== "merge" && value !== "squash" && value !== "rebase")
    throw new InvalidArgumentError("expected merge, squash or rebase");
  return value;
}

/** GitHub's branch protection takes 0 to 6 required approving reviews. */
function reviews(value: string): number {
  if (!/^[0-6]$/.test(value)) throw new InvalidArgumentError("expected a number of approving reviews from 0 to 6");
  return Number(value);
}

function deploySystems(value: string): DeploySystem[] {
  const names = value.split(",").map((v) => v.trim());
  const bad = names.find((n) => !(DEPLOY_SYSTEMS as readonly string[]).includes(n));
  if (bad !== undefined)
    throw new InvalidArgumentError(
      `${JSON.stringify(bad)}: expected ${DEPLOY_SYSTEMS.join(", ")} (several: comma-separated)`,
    );
  return [...new Set(names)] as DeploySystem[];
}

function format(value: string): "text" | "json" {
  try {
    return parseFormat(value);
  } catch {
    throw new InvalidArgumentError("expected text or json");
  }
}

function program(io: Io, exit: { code: number }): Command {
  const root = new Command("handover")
    .description("Runs a Replicante Core breaking upgrade as a gated chain of pull requests.")
    .version(VERSION, "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err });
  const run =
    <T>(command: (opts: T) => Promise<number>) =>
    async (opts: T): Promise<void> => {
      exit.code = await command(opts);
    };

  root
    .command("plan")
    .description("Show the steps (and each step's diff) for a migration issue against a config repo")
    .requiredOption("--repo <dir>", "checked-out config repo")
    .requiredOption("--issue <file>", "the migration issue body (markdown, as rendered from the issue form)")
    .option("--number <n>", "the issue number, used in branch names and restart values", issueNumber, 0)
    .option("--format <format>", "text or json", format, "text")
    .action(run((opts: Parameters<typeof planCommand>[1]) => planCommand(io, opts)));

  root
    .command("check")
    .description("Check that no two Replicante Core clusters in a config repo can manage the same datastore")
    .requiredOption("--repo <dir>", "checked-out config repo")
    .option("--format <format>", "text or json", format, "text")
    .action(run((opts: Parameters<typeof checkCommand>[1]) => checkCommand(io, opts)));

  root
    .command("rehearse")
    .description("Run the real App end to end against an in-process GitHub simulator loaded with a config repo")
    .requiredOption("--repo <dir>", "checked-out config repo")
    .requiredOption("--issue <file>", "the migration issue body")
    .option("--format <format>", "text or json", format, "text")
    .option("--fail-health <step>", "make this step's health gate fail")
    .option(
      "--chaos <seed>",
      "inject duplicated, reordered and dropped webhooks, 5xx and rate limits (seeded)",
      wholeNumber,
    )
    .option("--replicas <n>", "App processes behind one webhook URL", positive, 1)
    .option("--commands <file>", "YAML list of operator comments: {after, event, delay, user, permission, body}")
    .option("--merge <method>", "the only merge method the repo allows: merge, squash or rebase", mergeMethod, "merge")
    .option("--no-drafts", "the repo refuses draft PRs, as on some plans")
    .option("--reviews <n>", "approving reviews required before a merge (the simulated operator approves)", reviews, 0)
    .option("--no-labels", "the repo starts without any label, so the issue form's label is not applied")
    .option(
      "--no-auto-merge",
      "the repo does not allow auto-merge, so steps handover.yml marks for it wait for a person",
    )
    .option("--start <time>", "where the simulated clock starts (default 2026-01-01T00:00:00Z)", instant)
    .option("--out <dir>", "write what GitHub would show (dashboard at every change, PR bodies, replies, final tree)")
    .option(
      "--deploy <systems>",
      `what the simulated deploy system posts: ${DEPLOY_SYSTEMS.join(", ")}, comma-separated (default: what the config's health entries name)`,
      deploySystems,
    )
    .action(run((opts: Parameters<typeof rehearseCommand>[1]) => rehearseCommand(io, opts)));

  root
    .command("status")
    .description("Show a live migration's dashboard state (steps, gates, soak left, next action), read from GitHub")
    .requiredOption("--repo <owner/name>", "the config repo on GitHub (token from GH_TOKEN; GHES through GHE_HOST)")
    .requiredOption("--issue <n>", "the migration issue number", issueNumber)
    .option("--format <format>", "text or json", format, "text")
    .action(run((opts: Parameters<typeof statusCommand>[1]) => statusCommand(io, opts)));

  root
    .command("schema")
    .description("Print the JSON Schema of .github/handover.yml")
    .option("--markdown", "print the options table of docs/config-reference.md instead")
    .action(
      run(async (opts: { markdown?: boolean }) => {
        io.out(opts.markdown ? configReferenceMarkdown() : `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
        return EXIT.ok;
      }),
    );

  root
    .command("init")
    .description("Write the migration issue form and a starter .github/handover.yml into a config repo")
    .requiredOption("--repo <dir>", "checked-out config repo")
    .action(run((opts: Parameters<typeof initCommand>[1]) => initCommand(io, opts)));

  return root;
}

/** Run the CLI; returns the exit code (0 ok, 1 refused or violations, 2 bad input). */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const exit = { code: EXIT.ok as number };
  const root = program(io, exit);
  if (argv.length === 0) {
    io.err(root.helpInformation());
    return EXIT.badInput;
  }
  try {
    await root.parseAsync(argv, { from: "user" });
    return exit.code;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.code === "commander.helpDisplayed" || err.code === "commander.help" || err.code === "commander.version"
        ? EXIT.ok
        : EXIT.badInput;
    }
    if (err instanceof InputError) {
      const command = argv[0] ?? "handover";
      for (const problem of err.problems) io.err(`handover ${command}: ${problem}\n`);
      return EXIT.badInput;
    }
    io.err(`handover: internal error (a bug, please report it): ${(err as Error).message}\n`);
    if (process.env.HANDOVER_DEBUG) io.err(`${(err as Error).stack}\n`);
    return 70;
  }
}
