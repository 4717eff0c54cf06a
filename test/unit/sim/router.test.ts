// The simulator's router: literal segments, `:param` segments and one `*rest` anywhere, first registered match wins.
import { describe, expect, it } from "vitest";
import { Router } from "../../../src/sim/http.js";

function routed(router: Router, method: string, path: string): unknown {
  try {
    return router.dispatch(method, new URL(path, "http://sim"), {}, "").body;
  } catch (err) {
    return (err as { status?: number }).status;
  }
}

describe("Router", () => {
  const router = new Router();
  const answer = (name: string) => (req: { params: Record<string, string> }) => ({
    status: 200,
    body: { name, ...req.params },
  });
  router.add("GET", "/repos/:owner/:repo/commits/*ref/status", answer("status"));
  router.add("GET", "/repos/:owner/:repo/commits/*ref", answer("commit"));
  router.add("GET", "/repos/:owner/:repo/git/ref/*ref", answer("ref"));
  router.add("GET", "/repos/:owner/:repo", answer("repo"));
  router.add("POST", "/repos/:owner/:repo", answer("post"));
  /** What a route of acme/config answers: its name and the `*ref` it took. */
  const onConfig = (name: string, ref: string) => ({ name, owner: "acme", repo: "config", ref });

  it("takes literal and :param segments, decoded", () => {
    expect(routed(router, "GET", "/repos/acme/config")).toEqual({ name: "repo", owner: "acme", repo: "config" });
    expect(routed(router, "GET", "/repos/acme/r%2Fx")).toEqual({ name: "repo", owner: "acme", repo: "r/x" });
    expect(routed(router, "POST", "/repos/acme/config")).toEqual({ name: "post", owner: "acme", repo: "config" });
  });

  it("gives *rest every segment between the pattern's head and tail, a slash encoded or not", () => {
    expect(routed(router, "GET", "/repos/acme/config/git/ref/heads/handover/1/prepare")).toEqual(
      onConfig("ref", "heads/handover/1/prepare"),
    );
    expect(routed(router, "GET", "/repos/acme/config/git/ref/heads%2Fmain")).toEqual(onConfig("ref", "heads/main"));
    expect(routed(router, "GET", "/repos/acme/config/commits/feature/x/status")).toEqual(
      onConfig("status", "feature/x"),
    );
    // The first registered match wins: a branch named ".../status" is read as that branch's status.
    expect(routed(router, "GET", "/repos/acme/config/commits/main")).toEqual(onConfig("commit", "main"));
  });

  it("answers 404 to a path no pattern fits: too short, too long, a literal that differs, another method", () => {
    expect(routed(router, "GET", "/repos/acme")).toBe(404);
    expect(routed(router, "GET", "/repos/acme/config/extra")).toBe(404);
    expect(routed(router, "GET", "/repos/acme/config/git/ref")).toBe(404);
    expect(routed(router, "GET", "/repos/acme/config/commits/main/statuz/x")).toEqual(
      onConfig("commit", "main/statuz/x"),
    );
    expect(routed(router, "DELETE", "/repos/acme/config")).toBe(404);
  });

  it("keeps the order routes were added between those with and without *rest, and finds one added after a request", () => {
    const ordered = new Router();
    ordered.add("GET", "/a/*rest", answer("rest"));
    ordered.add("GET", "/a/:x", answer("param"));
    ordered.add("GET", "/b/:x", answer("b-param"));
    ordered.add("GET", "/b/*rest", answer("b-rest"));
    expect(routed(ordered, "GET", "/a/one")).toEqual({ name: "rest", rest: "one" });
    expect(routed(ordered, "GET", "/b/one")).toEqual({ name: "b-param", x: "one" });
    expect(routed(ordered, "GET", "/c/one")).toBe(404);
    ordered.add("GET", "/c/:x", answer("c"));
    expect(routed(ordered, "GET", "/c/one")).toEqual({ name: "c", x: "one" });
    expect(routed(ordered, "HEAD", "/c/two")).toEqual({ name: "c", x: "two" });
  });
});
