// classify: every GitHub error shape the engine meets, decided in one place (reference/probot.md section 5.2).
import { describe, expect, it } from "vitest";
import { classify, orUndefined, type GitHubErrorKind } from "../../../src/github/index.js";

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
      "status 0 (a network error without a response)",
      Object.assign(new Error("fetch failed"), { status: 0 }),
      "transient",
    ],
    ["no status at all", new TypeError("fetch failed"), "transient"],
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
