// The rehearsal's in-process transport gets from the simulator exactly what its HTTP server sends: the same script of
// requests, through the App's request options over HTTP and in-process, against two simulators in the same state.
import { Octokit } from "@octokit/core";
import { afterEach, describe, expect, it } from "vitest";
import { appRequest } from "../../../src/github/index.js";
import { inProcessRequest } from "../../../src/rehearse/in-process.js";
import { type Harness, OWNER, REPO, startSim } from "./helpers.js";

const started: Harness[] = [];
afterEach(async () => {
  for (const h of started.splice(0)) await h.sim.stop();
});

/** What Node's HTTP server adds to every answer, of the connection rather than of GitHub (the App reads none). */
const CONNECTION_HEADERS = ["connection", "date", "keep-alive", "transfer-encoding"];

function ownHeaders(headers: object | undefined): object | undefined {
  return headers && Object.fromEntries(Object.entries(headers).filter(([name]) => !CONNECTION_HEADERS.includes(name)));
}

/** What a request gave: its status, headers and decoded body, or the error's status, headers and body. */
async function outcome(promise: Promise<{ status: number; headers: object; data: unknown }>) {
  try {
    const { status, headers, data } = await promise;
    const body = data instanceof ArrayBuffer ? Buffer.from(data).toString("hex") : data;
    return { status, headers: ownHeaders(headers), data: body };
  } catch (err) {
    const { status, response } = err as { status: number; response?: { headers: object; data: unknown } };
    return { status, headers: ownHeaders(response?.headers), data: response?.data, message: (err as Error).message };
  }
}

/** Every request of the script against one simulator, read through `request` options; what each gave, in order. */
async function script(h: Harness, octokit: Octokit) {
  const issue = h.sim.createIssue("octocat", "Upgrade", "body", []);
  const at = { owner: OWNER, repo: REPO };
  const read = () => octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...at, issue_number: issue });
  const results = [];
  const first = await read();
  results.push(await outcome(Promise.resolve(first)));
  const etag = String(first.headers.etag);
  const conditional = { ...at, issue_number: issue, headers: { "if-none-match": etag } };
  results.push(await outcome(octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", conditional)));
  results.push(
    await outcome(
      octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", { ...at, issue_number: issue, body: "é ✓" }),
    ),
  );
  results.push(await outcome(octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", conditional)));
  results.push(
    await outcome(octokit.request("GET /repos/{owner}/{repo}/issues/{issue_number}", { ...at, issue_number: 999 })),
  );
  results.push(
    await outcome(
      octokit.request("POST /repos/{owner}/{repo}/git/trees", {
        ...at,
        tree: [{ path: "clusters/a/app.yaml", mode: "100644", type: "blob", content: "name: a\nreplicas: 2\n" }],
      }),
    ),
  );
  // GitHub's archive: a redirect to codeload, followed by the client.
  results.push(await outcome(octokit.request("GET /repos/{owner}/{repo}/tarball/{ref}", { ...at, ref: h.seed })));
  h.sim.faultHook = (req) => (req.method === "DELETE" ? "500" : undefined);
  results.push(
    await outcome(octokit.request("DELETE /repos/{owner}/{repo}/git/refs/{ref}", { ...at, ref: "heads/main" })),
  );
  h.sim.faultHook = undefined;
  // With a latency, three reads made together are one round trip, two made one after another are two.
  h.sim.latencyMs = 20;
  const before = h.sim.roundTrips;
  await Promise.all([read(), read(), read()]);
  await read();
  await read();
  results.push({ roundTrips: h.sim.roundTrips - before });
  return normalized(h.baseUrl, { results, log: h.sim.requests.map(({ at: _at, ...rest }) => rest) });
}

/**
 * The two simulators listen on different ports, which their answers' URLs (and so their ETags) name: each URL's
 * origin becomes one name, and each ETag the order it first appeared in.
 */
function normalized<T>(baseUrl: string, value: T): T {
  const etags = new Map<string, string>();
  const text = JSON.stringify(value)
    .replaceAll(baseUrl, "http://sim")
    .replace(/W\/\\"[0-9a-f]{40}\\"/g, (etag) => {
      if (!etags.has(etag)) etags.set(etag, `etag-${etags.size + 1}`);
      return etags.get(etag) as string;
    });
  return JSON.parse(text) as T;
}

describe("the in-process transport", () => {
  it("gets the answers, faults, request log and round trips the HTTP server gives", async () => {
    const overHttp = await startSim();
    const inProcess = await startSim();
    started.push(overHttp, inProcess);
    const http = await script(overHttp, new Octokit({ baseUrl: overHttp.baseUrl, auth: "x", request: appRequest }));
    const direct = await script(
      inProcess,
      new Octokit({
        baseUrl: inProcess.baseUrl,
        auth: "x",
        request: inProcessRequest(inProcess.sim, inProcess.baseUrl),
      }),
    );
    expect(direct).toEqual(http);
    // What the script covers, so that equal results mean something.
    expect(http.results.map((r) => ("status" in r ? r.status : r))).toEqual([
      200,
      304,
      200,
      200,
      404,
      201,
      200,
      500,
      { roundTrips: 3 },
    ]);
    expect(http.results[3]).toMatchObject({ data: { body: "é ✓" }, headers: { etag: "etag-2" } });
    expect(http.results[1]).toMatchObject({ headers: { etag: "etag-1" } });
    expect(http.results[6]).toMatchObject({ data: expect.stringMatching(/^1f8b/) });
    expect(http.log.map((r) => `${r.method} ${r.path} ${r.status}`).slice(0, 8)).toEqual([
      `GET /repos/${OWNER}/${REPO}/issues/1 200`,
      `GET /repos/${OWNER}/${REPO}/issues/1 304`,
      `PATCH /repos/${OWNER}/${REPO}/issues/1 200`,
      `GET /repos/${OWNER}/${REPO}/issues/1 200`,
      `GET /repos/${OWNER}/${REPO}/issues/999 404`,
      `POST /repos/${OWNER}/${REPO}/git/trees 201`,
      `GET /repos/${OWNER}/${REPO}/tarball/${overHttp.seed} 302`,
      `DELETE /repos/${OWNER}/${REPO}/git/refs/heads%2Fmain 500`,
    ]);
  });
});
