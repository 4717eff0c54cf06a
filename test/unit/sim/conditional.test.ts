// The simulator answers conditional reads as GitHub does: an ETag on every successful GET naming its content, 304
// with no body when If-None-Match names the current one, and a new ETag once the resource changed.
import { describe, expect, it } from "vitest";
import { failure, OWNER, REPO, useSim } from "./helpers.js";

const h = useSim();

describe("conditional requests", () => {
  it("gives a GET an ETag, answers 304 to it while unchanged, and a new ETag (200) after a change", async () => {
    const number = h.sim.createIssue("octocat", "Upgrade", "body", []);
    const route = "GET /repos/{owner}/{repo}/issues/{issue_number}";
    const params = { owner: OWNER, repo: REPO, issue_number: number };
    const first = await h.octokit.request(route, params);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"[0-9a-f]{40}"$/);

    const again = await failure(h.octokit.request(route, { ...params, headers: { "if-none-match": etag } }));
    expect(again.status).toBe(304);
    expect(again.headers.etag).toBe(etag);
    expect(h.sim.requests.at(-1)).toMatchObject({ method: "GET", status: 304 });

    await h.octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...params, body: "edited" });
    const changed = await h.octokit.request(route, { ...params, headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.data.body).toBe("edited");
    expect(changed.headers.etag).not.toBe(etag);
  });

  it("never answers 304 to a write or to a GET that failed", async () => {
    const missing = await failure(
      h.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        owner: OWNER,
        repo: REPO,
        issue_number: 999,
        headers: { "if-none-match": 'W/"0"' },
      }),
    );
    expect(missing.status).toBe(404);
    expect(missing.headers.etag).toBeUndefined();
  });
});

describe("latency and round trips", () => {
  it("with a latency, requests made together count as one round trip and requests made one after another as one each", async () => {
    const number = h.sim.createIssue("octocat", "Upgrade", "body", []);
    const read = () =>
      h.octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", {
        owner: OWNER,
        repo: REPO,
        issue_number: number,
      });
    h.sim.latencyMs = 20;
    const before = h.sim.roundTrips;
    await Promise.all([read(), read(), read()]);
    expect(h.sim.roundTrips - before).toBe(1);
    await read();
    await read();
    expect(h.sim.roundTrips - before).toBe(3);
    expect(h.sim.requests.slice(-5).map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });
});
