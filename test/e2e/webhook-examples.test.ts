// GitHub's real example payloads (@octokit/webhooks-examples) of every event the App subscribes to (app.yml) go through
// the real App (Probot, the App's handlers, its API calls answered by the simulator): none crashes it. The examples'
// installation and repository point at the simulated repo, so the App's reads find a repo (and migration issue #1).
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { Probot, ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { handover } from "../../src/app/index.js";
import { readDirTree } from "../../src/cli/disk.js";
import { GitHubSim } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE } from "./helpers.js";

// biome-ignore lint/suspicious/noExplicitAny: webhook JSON
type Payload = Record<string, any>;

const examples = JSON.parse(
  readFileSync("node_modules/@octokit/webhooks-examples/api.github.com/index.json", "utf8"),
) as { name: string; examples: Payload[] }[];
const subscribed = (parse(readFileSync("app.yml", "utf8")) as { default_events: string[] }).default_events;

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

function pointAtSim(example: Payload): Payload {
  const payload = structuredClone(example);
  if (payload.installation) payload.installation.id = 1;
  if (payload.repository) {
    payload.repository.name = "replicante-config";
    payload.repository.full_name = "acme/replicante-config";
    payload.repository.owner = { ...payload.repository.owner, login: "acme" };
  }
  return payload;
}

describe("GitHub's example webhook payloads through the App", () => {
  it("every example of every subscribed event is handled without a crash", { timeout: 120_000 }, async () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const sim = new GitHubSim({
      clock: { now: () => now },
      owner: "acme",
      repo: "replicante-config",
      webhookSecret: "s",
      botLogin: "handover[bot]",
    });
    sim.seedTree(await readDirTree("examples/config-repo"));
    sim.setPermission("operator", "admin");
    sim.createLabel("handover");
    sim.createIssue("operator", "Upgrade", EXAMPLE_ISSUE, ["handover"]);
    const baseUrl = await sim.start();
    try {
      const probot = new Probot({
        appId: 1,
        privateKey,
        baseUrl,
        logLevel: "fatal",
        Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({
          ...o,
          retry: { enabled: false },
          throttle: { enabled: false },
        })),
      });
      const { app, controls } = handover({
        botLogin: "handover[bot]",
        webhookSecret: "webhook-secret",
        now: () => now,
      });
      await probot.load(app);
      const fed: string[] = [];
      const failures: string[] = [];
      for (const event of examples.filter((e) => subscribed.includes(e.name))) {
        for (const [i, example] of event.examples.entries()) {
          const name = `${event.name}${example.action ? `.${example.action}` : ""} #${i}`;
          try {
            await probot.receive({
              id: `ex-${fed.length}`,
              name: event.name,
              payload: pointAtSim(example),
            } as Parameters<Probot["receive"]>[0]);
            await controls.idle();
          } catch (err) {
            failures.push(`${name}: ${(err as Error).message.slice(0, 300)}`);
          }
          fed.push(name);
        }
      }
      expect(failures).toEqual([]);
      // every subscribed event had examples, and each reached the App's handlers (counted by its metrics)
      expect(new Set(fed.map((f) => f.split(/[.# ]/)[0]))).toEqual(new Set(subscribed));
      const counted = await controls.metrics.getSingleMetricAsString("handover_events_total");
      for (const event of ["issues", "issue_comment", "pull_request", "push", "status", "check_run"])
        expect(counted).toContain(`event="${event}`);
      // the migration issue the examples name (#1) was reconciled for real: Handover's dashboard is on it
      expect(sim.listComments(1).some((c) => c.user === "handover[bot]")).toBe(true);
    } finally {
      await sim.stop();
    }
  });
});
