// The App's fetch over Node's http client, against real local servers: what is sent (method, path, headers, body),
// what Octokit reads of the answer, redirects as fetch follows them, failures as fetch reports them.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { appRequest, httpFetch } from "../../../src/github/index.js";

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A server that records every request and answers with `answer`; its base URL. */
async function serve(
  answer: (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void,
): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      answer(req, res, seen);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe("httpFetch", () => {
  it("sends the method, path, headers and body, and answers with status, headers and body as fetch does", async () => {
    const github = await serve((_req, res) => {
      res.writeHead(201, {
        "content-type": "application/json; charset=utf-8",
        etag: 'W/"e1"',
        "x-ratelimit-remaining": "41",
      });
      res.end('\uFEFF{"number":7}');
    });
    const answer = await httpFetch(`${github.url}/repos/acme/r/pulls?per_page=100`, {
      method: "POST",
      headers: { Authorization: "token t1", "content-type": "application/json; charset=utf-8" },
      body: '{"title":"Step ü"}',
    });
    expect(github.seen).toHaveLength(1);
    const [sent] = github.seen;
    expect(sent?.method).toBe("POST");
    expect(sent?.url).toBe("/repos/acme/r/pulls?per_page=100");
    expect(sent?.headers.authorization).toBe("token t1");
    expect(sent?.headers["content-length"]).toBe(String(Buffer.byteLength('{"title":"Step ü"}')));
    expect(sent?.body).toBe('{"title":"Step ü"}');
    expect(answer.status).toBe(201);
    expect(answer.ok).toBe(true);
    expect(answer.url).toBe(`${github.url}/repos/acme/r/pulls?per_page=100`);
    expect(answer.redirected).toBe(false);
    expect(answer.headers.get("ETag")).toBe('W/"e1"');
    expect(answer.headers.get("link")).toBeNull();
    expect([...answer.headers].filter(([name]) => name.startsWith("e") || name.startsWith("x-"))).toEqual([
      ["etag", 'W/"e1"'],
      ["x-ratelimit-remaining", "41"],
    ]);
    expect(await answer.text()).toBe('{"number":7}');
  });

  it("follows a redirect to another origin without the Authorization header, and gives the bytes as sent", async () => {
    const archive = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00]);
    const codeload = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-gzip" });
      res.end(archive);
    });
    const github = await serve((req, res) => {
      if (req.url === "/same") res.writeHead(302, { location: "/repos/acme/r/tarball/abc" }).end();
      else res.writeHead(302, { location: `${codeload.url}/acme/r/abc?token=c1` }).end();
    });
    const answer = await httpFetch(`${github.url}/same`, { headers: { authorization: "token t1", accept: "*/*" } });
    expect(github.seen.map((s) => [s.url, s.headers.authorization])).toEqual([
      ["/same", "token t1"],
      ["/repos/acme/r/tarball/abc", "token t1"],
    ]);
    expect(codeload.seen.map((s) => [s.method, s.url, s.headers.authorization, s.headers.accept])).toEqual([
      ["GET", "/acme/r/abc?token=c1", undefined, "*/*"],
    ]);
    expect(answer.status).toBe(200);
    expect(answer.redirected).toBe(true);
    expect(answer.url).toBe(`${codeload.url}/acme/r/abc?token=c1`);
    expect(Buffer.from(await answer.arrayBuffer())).toEqual(archive);
  });

  it("turns a POST redirected with 303 into a GET without its body, and keeps a 307's method and body", async () => {
    const github = await serve((req, res) => {
      if (req.url === "/see-other") res.writeHead(303, { location: "/done" }).end();
      else if (req.url === "/temporary") res.writeHead(307, { location: "/done" }).end();
      else res.writeHead(200).end("ok");
    });
    const headers = { "content-type": "application/json" };
    await httpFetch(`${github.url}/see-other`, { method: "POST", headers, body: '{"a":1}' });
    await httpFetch(`${github.url}/temporary`, { method: "PATCH", headers, body: '{"b":2}' });
    expect(github.seen.map((s) => [s.method, s.url, s.headers["content-type"], s.body])).toEqual([
      ["POST", "/see-other", "application/json", '{"a":1}'],
      ["GET", "/done", undefined, ""],
      ["PATCH", "/temporary", "application/json", '{"b":2}'],
      ["PATCH", "/done", "application/json", '{"b":2}'],
    ]);
  });

  it("fails as fetch does when nothing answers: a TypeError whose cause has the network's code", async () => {
    const closed = await serve(() => undefined);
    await new Promise((resolve) => closed.server.close(resolve));
    servers.pop();
    const failure = await httpFetch(`${closed.url}/x`).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).toBe("fetch failed");
    expect(((failure as TypeError).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });

  it("sends a request again on a new connection when the server closed the kept-alive one as it went out", async () => {
    const sockets = new Set<Socket>();
    const github = await serve((req, res, seen) => {
      if (seen.length === 2 && sockets.has(req.socket)) {
        req.socket.destroy();
        return;
      }
      sockets.add(req.socket);
      res.writeHead(200).end(String(seen.length));
    });
    expect(await (await httpFetch(`${github.url}/a`)).text()).toBe("1");
    expect(await (await httpFetch(`${github.url}/b`)).text()).toBe("3");
    expect(github.seen.map((s) => s.url)).toEqual(["/a", "/b", "/b"]);
  });

  it("is what the App's Octokit reads answers with: JSON data, headers, and a 304 as Octokit's error", async () => {
    const github = await serve((req, res) => {
      if (req.headers["if-none-match"] === 'W/"e1"') res.writeHead(304, { etag: 'W/"e1"' }).end();
      else res.writeHead(200, { "content-type": "application/json", etag: 'W/"e1"' }).end('{"number":5}');
    });
    const octokit = new ProbotOctokit({
      auth: { token: "t1" },
      baseUrl: github.url,
      request: { fetch: httpFetch },
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    const first = await octokit.request("GET /repos/{owner}/{repo}/issues/{n}", { owner: "acme", repo: "r", n: 5 });
    expect(first.data).toEqual({ number: 5 });
    expect(first.headers.etag).toBe('W/"e1"');
    const second = await octokit
      .request("GET /repos/{owner}/{repo}/issues/{n}", {
        owner: "acme",
        repo: "r",
        n: 5,
        headers: { "if-none-match": 'W/"e1"' },
      })
      .catch((err: { status?: number }) => err);
    expect((second as { status?: number }).status).toBe(304);
    expect(github.seen.map((s) => [s.url, s.headers.authorization])).toEqual([
      ["/repos/acme/r/issues/5", "token t1"],
      ["/repos/acme/r/issues/5", "token t1"],
    ]);
  });

  it("with the App's request options, successful answers reach Octokit decoded here: JSON, text, bytes; errors stay Octokit's", async () => {
    const bodies: Record<string, [number, string, string | Buffer]> = {
      "/json": [200, "application/json; charset=utf-8", '\uFEFF{"number":5,"labels":[{"name":"handover"}]}'],
      "/not-json": [200, "application/json", "{broken"],
      "/text": [200, "text/plain; charset=utf-8", "plain\n"],
      "/bytes": [200, "application/x-gzip", Buffer.from([0x1f, 0x8b, 0, 1])],
      "/missing": [404, "application/json; charset=utf-8", '{"message":"Not Found"}'],
    };
    const github = await serve((req, res) => {
      const [status, type, body] = bodies[req.url ?? ""] ?? [500, "text/plain", "?"];
      res.writeHead(status, { "content-type": type }).end(body);
    });
    const octokit = new ProbotOctokit({
      auth: { token: "t1" },
      baseUrl: github.url,
      request: appRequest,
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    expect((await octokit.request("GET /json")).data).toEqual({ number: 5, labels: [{ name: "handover" }] });
    expect((await octokit.request("GET /not-json")).data).toBe("{broken");
    expect((await octokit.request("GET /text")).data).toBe("plain\n");
    const bytes = (await octokit.request("GET /bytes")).data;
    expect(bytes).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(bytes as ArrayBuffer)]).toEqual([0x1f, 0x8b, 0, 1]);
    const failure = await octokit.request("GET /missing").catch((err: unknown) => err);
    expect(failure).toMatchObject({ status: 404, message: expect.stringContaining("Not Found") });
    // A request with an abort signal goes through the global fetch: its answer is decoded the same.
    const signal = AbortSignal.timeout(10_000);
    expect((await octokit.request("GET /json", { request: { signal } })).data).toEqual({
      number: 5,
      labels: [{ name: "handover" }],
    });
    expect(github.seen.map((s) => s.url)).toEqual(["/json", "/not-json", "/text", "/bytes", "/missing", "/json"]);
  });

  it("reaches a host named by an IPv6 address, with the path and query as given", async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.host}`);
      res.writeHead(200, { "content-type": "text/plain" }).end("six");
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "::1", resolve));
    const port = (server.address() as AddressInfo).port;
    const answer = await httpFetch(`http://[::1]:${port}/repos/acme/r?per_page=100&page=2`);
    expect([answer.status, await answer.text()]).toEqual([200, "six"]);
    expect(seen).toEqual([`GET /repos/acme/r?per_page=100&page=2 [::1]:${port}`]);
  });
});
