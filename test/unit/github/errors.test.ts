// classify: every GitHub error shape the engine meets, decided in one place (reference/probot.md section 5.2).
import { describe, expect, it } from "vitest";
import { classify, errorMessage, failedRequest, orUndefined, type GitHubErrorKind } from "../../../src/github/index.js";

function error(status: number, message: string, errors?: { message?: string; code?: string }[]): unknown {
  return Object.assign(new Error(message), { status, response: { data: { message, ...(errors ? { errors } : {}) } } });
}

describe("classify", () => {
  it.each<[string, unknown, GitHubErrorKind]>([
    ["422 Reference already exists (POST /git/refs)", error(422, "Reference already exists"), "exists"],
    [
      "422 A pull request already exists (POST /pulls, in errors[])",
      error(422, "Validation Failed", [
        { code: "custom", message: "A pull request already exists for acme:handover/1/prepare." },
      ]),
      "exists",
    ],
    ["404", error(404, "Not Found"), "not-found"],
    ["422 Reference does not exist (DELETE /git/refs)", error(422, "Reference does not exist"), "not-found"],
    [
      "409 (merge conflict, empty repo, head moved)",
      error(409, "Head branch was modified. Review and try the merge again."),
      "conflict",
    ],
    ["500", error(500, "Server Error"), "transient"],
    ["502", error(502, "Bad Gateway"), "transient"],
    ["503", error(503, "Service Unavailable"), "transient"],
    [
      "fetch failed, its cause a socket error (undici)",
      Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("x"), { code: "ECONNRESET" }) }),
      "transient",
    ],
    ["a network code on the error", Object.assign(new Error("connect"), { code: "ECONNREFUSED" }), "transient"],
    ["a request timed out", Object.assign(new Error("timeout"), { name: "TimeoutError" }), "transient"],
    ["no status and no network code: a bug", new TypeError("Cannot read properties of undefined"), "bug"],
    ["status 0 without a network code: a bug", Object.assign(new Error("fetch failed"), { status: 0 }), "bug"],
    ["not an Error at all", "boom", "bug"],
    ["undefined thrown", undefined, "bug"],
    [
      "403 with x-ratelimit-remaining 0 (primary limit, any message)",
      Object.assign(new Error("Forbidden"), {
        status: 403,
        response: { headers: { "x-ratelimit-remaining": "0" }, data: { message: "Forbidden" } },
      }),
      "rate-limit",
    ],
    [
      "403 with retry-after (secondary limit)",
      Object.assign(new Error("Forbidden"), {
        status: 403,
        response: { headers: { "retry-after": "60" }, data: { message: "Forbidden" } },
      }),
      "rate-limit",
    ],
    ["403 primary rate limit", error(403, "API rate limit exceeded for installation ID 2."), "rate-limit"],
    [
      "403 secondary rate limit",
      error(403, "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."),
      "rate-limit",
    ],
    [
      "403 abuse detection",
      error(403, "You have triggered an abuse detection mechanism. Please wait a few minutes before you try again."),
      "rate-limit",
    ],
    ["429 secondary rate limit", error(429, "You have exceeded a secondary rate limit."), "rate-limit"],
    ["403 other", error(403, "Resource not accessible by integration"), "permission"],
    ["401", error(401, "Bad credentials"), "permission"],
    ["422 other", error(422, "Validation Failed", [{ code: "invalid", message: "head is invalid" }]), "invalid"],
    ["422 other message", error(422, 'Invalid request.\n\n"sha" wasn\'t supplied.'), "invalid"],
    ["400", error(400, "Problems parsing JSON"), "invalid"],
    ["418", error(418, "I'm a teapot"), "other"],
  ])("%s -> %s", (_name, err, kind) => {
    expect(classify(err)).toBe(kind);
  });

  it("reads the answer, not the error text: a 422 whose message only mentions 'already exists' elsewhere is invalid", () => {
    expect(
      classify(
        Object.assign(new Error("Reference already exists"), {
          status: 422,
          response: { data: { message: "Validation Failed" } },
        }),
      ),
    ).toBe("invalid");
  });
});

describe("orUndefined", () => {
  it("turns not-found into undefined and rethrows the rest", async () => {
    expect(await orUndefined(Promise.reject(error(404, "Not Found")))).toBeUndefined();
    expect(await orUndefined(Promise.resolve(3))).toBe(3);
    await expect(orUndefined(Promise.reject(error(500, "Server Error")))).rejects.toMatchObject({ status: 500 });
  });
});

describe("what the dashboard shows of an error", () => {
  it("names the request without host or query, and GitHub's message with its first detail", () => {
    const err = Object.assign(
      error(422, "Validation Failed", [{ message: "title is too long (maximum is 256)" }]) as object,
      { request: { method: "POST", url: "https://api.github.com/repos/acme/config/pulls?x=1" } },
    );
    expect(failedRequest(err)).toBe("POST /repos/acme/config/pulls");
    expect(errorMessage(err)).toBe("Validation Failed: title is too long (maximum is 256)");
  });

  it("an Enterprise Server path loses its /api/v3 prefix; a bug has no request and keeps its own first line", () => {
    expect(
      failedRequest({ request: { method: "GET", url: "https://ghe.example/api/v3/repos/a/b/git/ref/heads%2Fx" } }),
    ).toBe("GET /repos/a/b/git/ref/heads/x");
    const bug = new TypeError("Cannot read properties of undefined (reading 'sha')\n    at stack");
    expect(failedRequest(bug)).toBeUndefined();
    expect(errorMessage(bug)).toBe("Cannot read properties of undefined (reading 'sha')");
    expect(errorMessage("boom")).toBe("boom");
  });

  it("a validation detail without a message is named by resource, field and code, as GitHub gives them", () => {
    expect(
      errorMessage(
        error(422, "Validation Failed", [{ code: "invalid", resource: "PullRequest", field: "head" } as never]),
      ),
    ).toBe("Validation Failed: PullRequest head invalid");
  });
});
