// The App's Octokit class: Probot's, with its per-request debug line written only when debug is on.
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { HandoverOctokit } from "../../../src/github/index.js";
import { github, useNock } from "./nock.js";

const seen = useNock();

/** A logger at one level that keeps its debug lines. */
function logAt(level: "debug" | "info") {
  const lines: unknown[][] = [];
  const noop = () => undefined;
  return {
    lines,
    log: {
      debug: (...args: unknown[]) => lines.push(args),
      info: noop,
      warn: noop,
      error: noop,
      isLevelEnabled: (asked: string) => level === "debug" || asked !== "debug",
    },
  };
}

function client(log: ReturnType<typeof logAt>["log"]) {
  const Test = HandoverOctokit.defaults((o: Record<string, unknown>) => ({
    ...o,
    retry: { enabled: false },
    throttle: { enabled: false },
  }));
  return new Test({ auth: "t", log });
}

describe("HandoverOctokit", () => {
  it("has Probot's plugins in Probot's order, its request logging and plugin-retry replaced", () => {
    const names = (plugins: { name: string }[]) => plugins.map((p) => p.name);
    const probot = names((ProbotOctokit as unknown as { plugins: { name: string }[] }).plugins);
    expect(probot).toContain("probotRequestLogging");
    expect(probot).toContain("retry");
    const ours: Record<string, string> = { probotRequestLogging: "debugRequests", retry: "retryRequests" };
    expect(names((HandoverOctokit as unknown as { plugins: { name: string }[] }).plugins)).toEqual(
      probot.map((name) => ours[name] ?? name),
    );
  });

  it("writes Probot's debug line for each request, answered or refused, only when debug is on", async () => {
    github(seen).get("/repos/acme/config").reply(200, { name: "config" });
    github(seen).patch("/repos/acme/config/issues/7").reply(404, { message: "Not Found" });
    const debug = logAt("debug");
    const octokit = client(debug.log);
    await octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "config" });
    await expect(
      octokit.request("PATCH /repos/{owner}/{repo}/issues/{n}", { owner: "acme", repo: "config", n: 7, body: "x" }),
    ).rejects.toMatchObject({ status: 404 });
    expect(debug.lines).toEqual([
      [{}, "GitHub request: GET https://api.github.com/repos/acme/config - 200"],
      [{ body: "x" }, "GitHub request: PATCH https://api.github.com/repos/acme/config/issues/7 - 404"],
    ]);

    github(seen).get("/repos/acme/config").reply(200, { name: "config" });
    const info = logAt("info");
    await client(info.log).request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "config" });
    expect(info.lines).toEqual([]);
    expect(seen.matched).toEqual([
      "GET /repos/acme/config",
      "PATCH /repos/acme/config/issues/7",
      "GET /repos/acme/config",
    ]);
  });
});
