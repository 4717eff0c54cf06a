import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readDirTree } from "../../src/cli/disk.js";
import { statusCommand } from "../../src/cli/status.js";
import { SimulatedClock, startWorld, type World } from "../../src/rehearse/world.js";
import { cli } from "../unit/cli/helpers.js";
import { EXAMPLE_ISSUE } from "./helpers.js";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const START = Date.parse("2026-03-02T09:00:00Z");

async function settle(world: World): Promise<void> {
  for (let i = 0; i < 50 && (i === 0 || world.sim.pendingEvents() > 0); i++) {
    await world.sim.deliverAll();
    await Promise.all(world.replicas.map((r) => r.idle()));
  }
}

describe("handover status reads a live migration from GitHub (the simulator over HTTP)", () => {
  const clock = new SimulatedClock(START);
  let world: World;
  let issue: number;
  let env: NodeJS.ProcessEnv;

  const status = async (format: "text" | "json", number = issue) => {
    let out = "";
    let err = "";
    const io = { out: (t: string) => void (out += t), err: (t: string) => void (err += t), color: false };
    const code = await statusCommand(io, { repo: "acme/replicante-config", issue: number, format }, env, clock.now);
    return { code, out, err };
  };

  beforeAll(async () => {
    world = await startWorld({
      clock,
      files: await readDirTree("examples/config-repo"),
      replicas: 1,
      probe: async () => ({ error: "no http checks here" }),
      seed: 1,
    });
    world.sim.setPermission("operator", "admin");
    issue = world.sim.createIssue("operator", "Upgrade", EXAMPLE_ISSUE, ["handover"]);
    await settle(world);
    // Through GitHub Enterprise Server's address form: GHE_HOST (and GHE_PROTOCOL), REST under /api/v3.
    const url = new URL(world.baseUrl);
    env = { GH_TOKEN: "ghp_test", GHE_HOST: url.host, GHE_PROTOCOL: "http", WEBHOOK_SECRET: world.webhookSecret };
  });
  afterAll(async () => world?.stop());

  it("shows the open prepare PR and what to do next", async () => {
    const run = await status("text");
    expect(run.err).toBe("");
    expect(run.code).toBe(0);
    expect(run.out.split("\n").slice(0, 2)).toEqual([`acme/replicante-config#${issue}: running`, expect.any(String)]);
    expect(run.out.split("\n").filter((l) => /^ *\d+ {2}/.test(l))).toEqual([
      " 1  prepare         draft              #2     replicore-b not-started",
      " 2  release-canary  not-started               replicore-a not-started",
      " 3  adopt-canary    not-started               replicore-b not-started",
      " 4  release-wave-1  not-started               replicore-a not-started",
      " 5  adopt-wave-1    not-started               replicore-b not-started",
      " 6  release-rest    not-started               replicore-a not-started",
      " 7  adopt-rest      not-started               replicore-b not-started",
      " 8  decommission    not-started",
    ]);
  });

  it("shows a gate soaking with the soak left, in JSON, after the merge and a green deploy", async () => {
    const prepare = world.sim.listPulls().find((p) => p.pull.headRef === `handover/${issue}/prepare`);
    if (!prepare) throw new Error("test set-up: no prepare PR");
    world.sim.markReady(prepare.number, "operator");
    const sha = world.sim.mergePull(prepare.number, "operator");
    // What Flux's notification-controller posts: kustomization/NAME/<provider uid prefix>.
    world.sim.setStatus(sha, "kustomization/replicore-b/5f0c3e2a", "success", "flux");
    world.sim.createDeploymentStatus(world.sim.createDeployment(sha, "replicore-b", "deployer"), "success", "deployer");
    await settle(world);
    clock.current += 5 * 60_000;
    const run = await status("json");
    expect(run.code).toBe(0);
    const json = JSON.parse(run.out);
    expect(json).toMatchObject({ issue, label: "handover:running", current: "prepare", problems: [] });
    expect(json.steps[0]).toEqual({
      id: "prepare",
      kind: "prepare",
      state: "gate",
      pr: prepare.number,
      gate: {
        cluster: "replicore-b",
        state: "soaking",
        checks: [
          { label: "flux replicore-b (status kustomization/replicore-b/*)", state: "success" },
          { label: "deployment replicore-b", state: "success" },
        ],
        soak_left_seconds: 10 * 60,
        deadline: new Date(START + 2 * 3600_000).toISOString(),
      },
    });
    expect(json.steps.map((s: { state: string }) => s.state)).toEqual(["gate", ...Array(7).fill("not-started")]);
  });

  it("a number that is no migration issue exits 1 with one line", async () => {
    const other = world.sim.createIssue("operator", "Not a migration", "hello", []);
    expect(await status("text", other)).toEqual({
      code: 1,
      out: "",
      err: `handover status: acme/replicante-config#${other} is not an open migration issue (closed, a pull request, or no handover label)\n`,
    });
  });
});

describe("handover status: bad input exits 2 with one line and asks GitHub nothing", () => {
  it.each([
    [
      ["--repo", "acme/replicante-config", "--issue", "1"],
      {},
      "handover status: GH_TOKEN is not set: status reads GitHub with a token that can read the repo\n",
    ],
    [["--repo", "acme", "--issue", "1"], { GH_TOKEN: "t" }, "handover status: --repo acme: expected OWNER/NAME\n"],
    [
      ["--repo", "a/b", "--issue", "x"],
      { GH_TOKEN: "t" },
      "error: option '--issue <n>' argument 'x' is invalid. expected the issue number, a whole number\n",
    ],
  ])("%j", async (argv, vars, err) => {
    const saved = { GH_TOKEN: process.env.GH_TOKEN, GHE_HOST: process.env.GHE_HOST };
    delete process.env.GH_TOKEN;
    Object.assign(process.env, vars, { GHE_HOST: "127.0.0.1:9" });
    try {
      expect(await cli(["status", ...argv])).toEqual({ code: 2, out: "", err });
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });

  it("an unreachable GitHub is one line, exit 2", async () => {
    let err = "";
    const io = { out: () => {}, err: (t: string) => void (err += t), color: false };
    const { main } = await import("../../src/cli/main.js");
    const saved = { ...process.env };
    const closed = await closedPort();
    Object.assign(process.env, { GH_TOKEN: "t", GHE_HOST: `127.0.0.1:${closed}`, GHE_PROTOCOL: "http" });
    try {
      expect(await main(["status", "--repo", "a/b", "--issue", "1"], io)).toBe(2);
    } finally {
      process.env = saved;
    }
    expect(err).toBe(
      `handover status: cannot reach http://127.0.0.1:${closed}/api/v3 (connect ECONNREFUSED 127.0.0.1:${closed})\n`,
    );
  });
});
