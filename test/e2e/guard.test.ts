import { describe, expect, it } from "vitest";
import { readDirTree } from "../../src/cli/disk.js";
import { resetCaches } from "../../src/github/index.js";
import { GUARD_MAX_BYTES, GUARD_MAX_FILES } from "../../src/guard/read.js";
import { SimulatedClock, startWorld, type World } from "../../src/rehearse/world.js";
import type { GitHubSim } from "../../src/sim/index.js";
import { EXAMPLE_ISSUE, run } from "./helpers.js";

interface GuardRun {
  headSha: string;
  name: string;
  conclusion: string | null;
  output: { title: string | null; summary: string | null };
  annotations: Record<string, unknown>[];
}

function guardRuns(sim: GitHubSim, sha: string): GuardRun[] {
  return [...(sim.repo.checkRuns.values() as Iterable<GuardRun>)].filter(
    (r) => r.name === "handover/guard" && r.headSha === sha,
  );
}

describe("the handover/guard check run during a migration", () => {
  it("fails a person's PR that touches the discovery of a migrating cluster, naming the issue; passes Handover's own steps", async () => {
    let personal = { pr: 0, sha: "" };
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-canary") return;
        const path = "clusters/replicore-a/conf.d/kafka.yaml";
        const text = sim.readTree("main").get(path) ?? "";
        const sha = sim.pushFiles(
          "dana",
          "more-kafka",
          [{ path, content: `${text}- cluster_id: kafka-2\n  nodes: ['http://kafka-9.data:10092']\n` }],
          "Add a Kafka cluster",
        );
        personal = { pr: sim.openPull("dana", "more-kafka", "Add kafka-2"), sha };
      },
    });
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    expect(personal.pr).toBeGreaterThan(0);
    const runs = guardRuns(sim, personal.sha);
    expect(runs.map((r) => [r.conclusion, r.output.title])).toEqual([
      ["failure", "Touches a cluster locked by migration #1"],
    ]);
    expect(runs[0]?.output.summary).toBe(
      "- **locked**: `clusters/replicore-a/conf.d/kafka.yaml` is discovery of replicore-a, which migration #1 is moving; change it through that migration, or after it is done",
    );
    // Every step PR of the migration itself passed the guard on its final head.
    for (const step of report.steps.filter((s) => s.pr !== null)) {
      const pull = sim.listPulls().find((p) => p.number === step.pr);
      const verdicts = guardRuns(sim, pull?.pull.headSha ?? "").map((r) => r.conclusion);
      expect(verdicts.at(-1), `${step.id}`).toBe("success");
    }
  });

  it("fails a person's PR that edits .github/handover.yml where it touches a migrating cluster: its restart moved, its entry removed", async () => {
    const prs: { name: string; pr: number; sha: string }[] = [];
    const { report, sims } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      onStep: (event, step, sim) => {
        if (event !== "opened" || step.id !== "release-canary") return;
        const path = ".github/handover.yml";
        const text = sim.readTree("main").get(path) ?? "";
        const edits = {
          restart: text.replace("      document: 1\n", "      document: 0\n"),
          removed: text.replace(/ {2}replicore-a:\n(?: {4}.*\n)*/, ""),
          unrelated: text.replace("  timeout: 2h", "  timeout: 3h"),
        };
        for (const [name, content] of Object.entries(edits)) {
          expect(content, name).not.toBe(text);
          const sha = sim.pushFiles("dana", `config-${name}`, [{ path, content }], `Edit handover.yml (${name})`);
          prs.push({ name, pr: sim.openPull("dana", `config-${name}`, name), sha });
        }
      },
    });
    expect(report.completed).toBe(true);
    const sim = sims[0] as GitHubSim;
    const verdicts = prs.map(({ name, sha }) => [
      name,
      ...guardRuns(sim, sha).map((r) => [r.conclusion, r.output.summary]),
    ]);
    const locked = (change: string) =>
      `- **locked**: \`.github/handover.yml\` ${change} replicore-a, which migration #1 is moving; change it through that migration, or after it is done`;
    expect(verdicts).toEqual([
      ["restart", ["failure", locked("changes the restart of")]],
      ["removed", ["failure", locked("removes the entry of")]],
      ["unrelated", ["success", "The invariant holds on this PR's tree."]],
    ]);
  });
});

describe("a step PR's head the guard never judged", () => {
  it("the webhooks of the operator's push to the prepare lost while the migration is paused, in a repo that requires the guard: the paused reconcile runs the guard, so the operator merges before the resume", async () => {
    let lost = 0;
    let sim: GitHubSim | undefined;
    const alice = { after: "prepare", event: "opened", user: "alice", permission: "write" } as const;
    const { report } = await run("examples/config-repo", EXAMPLE_ISSUE, {
      commands: [
        { ...alice, delay: 0, body: "/handover pause" },
        { ...alice, delay: 60 * 60, body: "/handover resume" },
      ],
      onSim: (s) => {
        sim = s;
        s.repo.settings.requiredChecks = ["handover/guard"];
      },
      onEvent: (_at, line) => {
        // The operator's fill of REPLACE-ME, and the draft marked ready: GitHub never delivers their webhooks (the
        // push's and ready_for_review's would each start the guard on that head).
        const filled = line.startsWith("operator: filled in") && line.includes("handover/1/prepare");
        if (sim && (filled || line === "operator: marked #2 ready for review")) lost += sim.discardEvents();
      },
    });
    expect(lost).toBeGreaterThan(0);
    expect([report.completed, report.duplicate_prs, report.violations]).toEqual([true, 0, []]);
    const live = sim as GitHubSim;
    const prepare = live.listPulls().find((p) => p.pull.headRef === "handover/1/prepare");
    const head = prepare?.pull.headSha ?? "";
    expect(live.repo.objects.getCommit(head)?.committer.name).toBe("operator");
    const runs = guardRuns(live, head);
    expect(runs.map((r) => [r.conclusion, r.output.title])).toEqual([
      ["success", "No two Replicante Core clusters share a datastore"],
    ]);
    // Judged and merged while paused, not only once alice resumed.
    const resumed = live.listComments(1).find((c) => c.body === "/handover resume")?.createdAt ?? 0;
    expect(resumed).toBeGreaterThan(0);
    expect(prepare?.pull.mergedAt).toBeLessThan(resumed);
  });
});

describe("the guard reads only what the invariant checker needs", () => {
  async function world() {
    const clock = new SimulatedClock(Date.parse("2026-01-01T00:00:00Z"));
    return startWorld({
      clock,
      files: await readDirTree("examples/config-repo"),
      replicas: 1,
      probe: async () => ({ body: "{}" }),
      seed: 21,
    });
  }

  it("a person's 400-file PR (40 MB nobody's handover.yml references) costs a bounded number of requests and passes", {
    timeout: 120_000,
  }, async () => {
    const w = await world();
    try {
      const { sim } = w;
      const replica = w.replicas[0] as World["replicas"][number];
      const filler = "x".repeat(100_000);
      const files = Array.from({ length: 400 }, (_, i) => ({
        path: `vendor/dump-${i}.txt`,
        content: `${i}\n${filler}`,
      }));
      const sha = sim.pushFiles("dana", "vendor-dump", files, "Vendor everything");
      resetCaches(); // a fresh App process: nothing of the repo is known yet
      const before = sim.requests.length;
      const pr = sim.openPull("dana", "vendor-dump", "Vendor everything");
      await sim.deliverAll();
      await replica.idle();
      const requests = sim.requests.slice(before).map((r) => `${r.method} ${r.path} ${r.status}`);
      const base = sim.branchSha("main");
      const blobs = requests.filter((r) => r.startsWith("GET /repos/acme/replicante-config/git/blobs/"));
      expect(requests).toEqual([
        "POST /app/installations/1/access_tokens 201",
        // The event names no migration issue: the open ones are listed (none here).
        "GET /repos/acme/replicante-config/issues 200",
        // The default branch is named by the payload: the branch is read, not the repository.
        `GET /repos/acme/replicante-config/branches/main 200`,
        `GET /repos/acme/replicante-config/git/trees/${sha} 200`,
        `GET /repos/acme/replicante-config/git/trees/${base} 200`,
        ...blobs,
        // Locks: the open migration issues again (unchanged: 304).
        "GET /repos/acme/replicante-config/issues 304",
        // 400 paths, 100 a page, and the empty page that ends the list (no file contents).
        `GET /repos/acme/replicante-config/pulls/${pr}/files 200`,
        `GET /repos/acme/replicante-config/pulls/${pr}/files 200`,
        `GET /repos/acme/replicante-config/pulls/${pr}/files 200`,
        `GET /repos/acme/replicante-config/pulls/${pr}/files 200`,
        `GET /repos/acme/replicante-config/pulls/${pr}/files 200`,
        `GET /repos/acme/replicante-config/commits/${sha}/check-runs 200`,
        "POST /repos/acme/replicante-config/check-runs 201",
      ]);
      // The blobs read, once each (head and base share them): handover.yml, replicore-a's Core config and its three
      // discovery files. Not its statefulset.yaml, not the README, none of the 400.
      expect(blobs.length).toBe(5);
      expect(guardRuns(sim, sha).map((r) => [r.conclusion, r.output.title])).toEqual([
        ["success", "No two Replicante Core clusters share a datastore"],
      ]);
    } finally {
      await w.stop();
    }
  });

  it("a PR whose checked files pass the byte limit fails with a check run naming the limit and the numbers", {
    timeout: 120_000,
  }, async () => {
    const w = await world();
    try {
      const { sim } = w;
      const replica = w.replicas[0] as World["replicas"][number];
      const main = sim.readTree("main");
      const kafka = "clusters/replicore-a/conf.d/kafka.yaml";
      const huge = `${main.get(kafka)}# ${"x".repeat(GUARD_MAX_BYTES)}\n`;
      const sha = sim.pushFiles("dana", "huge-kafka", [{ path: kafka, content: huge }], "A large discovery file");
      resetCaches();
      sim.openPull("dana", "huge-kafka", "A large discovery file");
      await sim.deliverAll();
      await replica.idle();
      // What it read of the base (handover.yml, the Core config, three discovery files), and the new file it needs.
      const baseFiles = [
        ".github/handover.yml",
        "clusters/replicore-a/replicante.yaml",
        ...["kafka", "mongo", "zookeeper"].map((n) => `clusters/replicore-a/conf.d/${n}.yaml`),
      ];
      const bytes =
        baseFiles.reduce((sum, p) => sum + Buffer.byteLength(main.get(p) ?? ""), 0) + Buffer.byteLength(huge);
      const runs = guardRuns(sim, sha);
      expect(runs.map((r) => [r.conclusion, r.output.title])).toEqual([
        ["failure", `Too large for the guard: at least ${bytes} bytes (limit ${GUARD_MAX_BYTES})`],
      ]);
      expect(runs[0]?.output.summary?.split("\n")[0]).toBe(
        `Checking the invariant on this PR needs at least 6 files of ${bytes} bytes: more than the guard reads for one PR (${GUARD_MAX_FILES} files, ${GUARD_MAX_BYTES} bytes).`,
      );
      // The large file itself was never downloaded.
      const blobsRead = sim.requests.filter((r) => r.path.includes("/git/blobs/")).length;
      expect(blobsRead).toBe(5);
    } finally {
      await w.stop();
    }
  });
});
