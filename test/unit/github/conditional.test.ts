// Conditional reads through the real adapter over nock: the first read remembers the ETag, the next one sends it
// as If-None-Match and a 304 answers from memory; a changed resource (200, new ETag) replaces what was remembered.
import nock from "nock";
import { describe, expect, it } from "vitest";
import { LruCache } from "../../../src/github/conditional.js";
import { conditionalGet, knowDefaultBranch, OctokitPort } from "../../../src/github/index.js";
import { API, github, octokit, useNock } from "./nock.js";

const seen = useNock();
// A repo no other test reads, so the process-wide cache starts empty for it.
const R = "/repos/acme/conditional-reads";
const issue = (body: string) => ({ number: 5, title: "Upgrade", body, state: "open", labels: [] });

describe("conditional reads", () => {
  it("sends If-None-Match with the remembered ETag and answers a 304 from memory", async () => {
    // One adapter per reconcile, as in the App (an adapter asks once per thing until it writes).
    const port = () => new OctokitPort(octokit(), "acme", "conditional-reads", "handover[bot]");
    const first = github(seen).get(`${R}/issues/5`).reply(200, issue("one"), { etag: 'W/"e1"' });
    expect((await port().getIssue(5)).body).toBe("one");
    expect(first.isDone()).toBe(true);

    const unchanged = nock(API, { reqheaders: { "if-none-match": 'W/"e1"' } })
      .get(`${R}/issues/5`)
      .reply(304, "", { etag: 'W/"e1"' });
    expect((await port().getIssue(5)).body).toBe("one");
    expect(unchanged.isDone()).toBe(true);

    const changed = nock(API, { reqheaders: { "if-none-match": 'W/"e1"' } })
      .get(`${R}/issues/5`)
      .reply(200, issue("two"), { etag: 'W/"e2"' });
    expect((await port().getIssue(5)).body).toBe("two");
    expect(changed.isDone()).toBe(true);

    const again = nock(API, { reqheaders: { "if-none-match": 'W/"e2"' } })
      .get(`${R}/issues/5`)
      .reply(304, "", { etag: 'W/"e2"' });
    expect((await port().getIssue(5)).body).toBe("two");
    expect(again.isDone()).toBe(true);
    expect(seen.unmatched).toEqual([]);
  });

  it("sends no If-None-Match for a read that never carried an ETag", async () => {
    const port = () => new OctokitPort(octokit(), "acme", "conditional-reads", "handover[bot]");
    const scope = nock(API, { badheaders: ["if-none-match"] })
      .get(`${R}/issues/6`)
      .times(2)
      .reply(200, { ...issue("plain"), number: 6 });
    expect((await port().getIssue(6)).body).toBe("plain");
    expect((await port().getIssue(6)).body).toBe("plain");
    expect(scope.isDone()).toBe(true);
  });
});

describe("conditionalGet", () => {
  it("keeps reads of the same route apart by scope: one installation's ETag is never sent for another's", async () => {
    const route = "GET /installation/repositories";
    const list = (name: string) => ({ total_count: 1, repositories: [{ name, owner: { login: "acme" } }] });
    const first = github(seen).get("/installation/repositories").query({ per_page: 100 }).reply(200, list("a"), {
      etag: 'W/"i1"',
    });
    expect(await conditionalGet(octokit(), route, { per_page: 100 }, "installation 1")).toEqual(list("a"));
    const other = nock(API, { badheaders: ["if-none-match"] })
      .get("/installation/repositories")
      .query({ per_page: 100 })
      .reply(200, list("b"), { etag: 'W/"i2"' });
    expect(await conditionalGet(octokit(), route, { per_page: 100 }, "installation 2")).toEqual(list("b"));
    const again = nock(API, { reqheaders: { "if-none-match": 'W/"i1"' } })
      .get("/installation/repositories")
      .query({ per_page: 100 })
      .reply(304, "");
    expect(await conditionalGet(octokit(), route, { per_page: 100 }, "installation 1")).toEqual(list("a"));
    for (const scope of [first, other, again]) expect(scope.isDone()).toBe(true);
    expect(seen.unmatched).toEqual([]);
  });
});

describe("immutable objects", () => {
  it("asks GitHub for a commit once per process: a sha never changes", async () => {
    const port = () => new OctokitPort(octokit(), "acme", "conditional-reads", "handover[bot]");
    const scope = github(seen)
      .get(`${R}/git/commits/c0ffee`)
      .reply(200, {
        sha: "c0ffee",
        tree: { sha: "t1" },
        parents: [{ sha: "p1" }],
        committer: { name: "Handover" },
        message: "m",
      });
    const expected = { sha: "c0ffee", tree: "t1", parents: ["p1"], committer: "Handover", message: "m" };
    expect(await port().getCommit("c0ffee")).toEqual(expected);
    expect(await port().getCommit("c0ffee")).toEqual(expected);
    expect(scope.isDone()).toBe(true);
    expect(seen.unmatched).toEqual([]);
  });
});

describe("the same read twice at once", () => {
  it("waits for the one on the wire, then asks with the ETag it brought: one counted read and a 304, not two counted", async () => {
    // Two adapters (a guard and a reconcile woken by one push) read the default branch at the same moment.
    const port = () => new OctokitPort(octokit(), "acme", "conditional-reads", "handover[bot]");
    knowDefaultBranch("acme", "conditional-reads", "main");
    const branch = { name: "main", commit: { sha: "m1", commit: { tree: { sha: "t1" } }, parents: [] } };
    const first = nock(API, { badheaders: ["if-none-match"] })
      .get(`${R}/branches/main`)
      .delay(30)
      .reply(200, branch, { etag: 'W/"b1"' });
    const second = nock(API, { reqheaders: { "if-none-match": 'W/"b1"' } })
      .get(`${R}/branches/main`)
      .reply(304, "", { etag: 'W/"b1"' });
    const order: string[] = [];
    first.on("request", () => order.push("first asked"));
    first.on("replied", () => order.push("first answered"));
    second.on("request", () => order.push("second asked"));
    const heads = await Promise.all([
      port()
        .defaultBranch()
        .then((h) => h.sha),
      port()
        .defaultBranch()
        .then((h) => h.sha),
    ]);
    expect(heads).toEqual(["m1", "m1"]);
    expect(order).toEqual(["first asked", "first answered", "second asked"]);
    expect(first.isDone() && second.isDone()).toBe(true);
    expect(seen.unmatched).toEqual([]);
  });

  it("three at once go one after another: the third waits for the second, not only for the first", async () => {
    const route = `GET ${R}/issues/8`;
    const first = nock(API, { badheaders: ["if-none-match"] })
      .get(`${R}/issues/8`)
      .delay(20)
      .reply(200, { ...issue("eight"), number: 8 }, { etag: 'W/"i8"' });
    const later = nock(API, { reqheaders: { "if-none-match": 'W/"i8"' } })
      .get(`${R}/issues/8`)
      .times(2)
      .delay(20)
      .reply(304, "", { etag: 'W/"i8"' });
    // The order each request goes out and comes back, seen at the client.
    const order: string[] = [];
    const client = octokit();
    const logged = {
      request: async (r: string, params?: Record<string, unknown>) => {
        order.push("asked");
        try {
          return await client.request(r, params);
        } finally {
          order.push("answered");
        }
      },
    };
    const bodies = await Promise.all([1, 2, 3].map(() => conditionalGet(logged, route)));
    expect(bodies.map((b) => (b as { body: string }).body)).toEqual(["eight", "eight", "eight"]);
    expect(order).toEqual(["asked", "answered", "asked", "answered", "asked", "answered"]);
    expect(first.isDone() && later.isDone()).toBe(true);
  });

  it("a failed read on the wire is not the waiting one's answer: it asks on its own", async () => {
    const route = `GET ${R}/issues/7`;
    const failed = nock(API).get(`${R}/issues/7`).delay(20).reply(502, { message: "Server Error" });
    const asked = nock(API)
      .get(`${R}/issues/7`)
      .reply(200, { ...issue("seven"), number: 7 });
    const results = await Promise.allSettled([conditionalGet(octokit(), route), conditionalGet(octokit(), route)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled"]);
    expect((results[1] as PromiseFulfilledResult<{ body: string }>).value.body).toBe("seven");
    expect(failed.isDone() && asked.isDone()).toBe(true);
  });
});

describe("LruCache", () => {
  it("keeps at most its limit, dropping the least recently used", () => {
    const cache = new LruCache<string, number>(2);
    cache.set("a", 1);
    cache.set("b", 2);
    expect(cache.get("a")).toBe(1); // a is now the most recent
    cache.set("c", 3);
    expect(cache.get("b")).toBeUndefined();
    expect(cache.get("a")).toBe(1);
    expect(cache.get("c")).toBe(3);
    expect(cache.size).toBe(2);
  });
});

describe("LruCache with a weight", () => {
  it("keeps at most maxWeight in total, dropping the least recently used, and never keeps one heavier than all", () => {
    const cache = new LruCache<string, number>(100, (key) => key.length, 10);
    cache.set("aaaa", 1);
    cache.set("bbbb", 2);
    expect(cache.weight).toBe(8);
    cache.set("cccc", 3); // 12 > 10: aaaa goes
    expect([cache.get("aaaa"), cache.get("bbbb"), cache.get("cccc")]).toEqual([undefined, 2, 3]);
    expect(cache.weight).toBe(8);
    cache.set("x".repeat(11), 4);
    expect(cache.get("x".repeat(11))).toBeUndefined();
    expect([cache.size, cache.weight]).toEqual([2, 8]);
    cache.set("bbbb", 5); // replacing an entry does not count it twice
    expect([cache.size, cache.weight, cache.get("bbbb")]).toEqual([2, 8, 5]);
  });
});
