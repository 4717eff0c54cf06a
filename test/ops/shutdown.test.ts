import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AppProcess, FakeGitHub, json, sendWebhook, startApp } from "./spawn.js";

const ISSUE_OPENED = {
  action: "opened",
  issue: { number: 7, body: "### Source cluster\n\nold" },
  repository: { name: "config", full_name: "acme/config", owner: { login: "acme" }, default_branch: "main" },
  installation: { id: 1 },
  sender: { login: "operator", type: "User" },
};

describe("SIGTERM drains the webhook in flight", () => {
  const github = new FakeGitHub();
  let app: AppProcess | undefined;
  beforeAll(async () => {
    await github.start();
    return () => github.stop();
  });
  afterEach(() => app?.kill());

  it("finishes the reconcile the webhook started, refuses new ones, and exits 0", async () => {
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reached: () => void = () => undefined;
    const reading = new Promise<void>((resolve) => (reached = resolve));
    // The reconcile's first read of the issue hangs until the test lets it go, after SIGTERM.
    github.routes.set("GET /repos/acme/config/issues/7", async (_req, res) => {
      reached();
      await held;
      json(res, 404, { message: "Not Found" });
    });
    app = await startApp(github, { SHUTDOWN_GRACE_SECONDS: "20" });
    const delivery = sendWebhook(app.url, "issues", "delivery-7", ISSUE_OPENED);
    await reading;
    app.signal("SIGTERM");
    const stopping = await app.line(/^SIGTERM: stopping/);
    expect(stopping).toMatchObject({
      level: "info",
      signal: "SIGTERM",
      graceSeconds: 20,
      reconciling: ["acme/config#7"],
    });
    // A new delivery is refused: 503 on an open connection, a connection closed or refused once the socket is closed
    // (GitHub shows the delivery failed; the resync covers it).
    const refused = await sendWebhook(app.url, "issues", "delivery-9", ISSUE_OPENED).then(
      (response) => response.status,
      (err: Error & { cause?: { code?: string } }) => err.cause?.code,
    );
    expect([503, "ECONNREFUSED", "ECONNRESET", "UND_ERR_SOCKET"]).toContain(refused);
    release();
    const response = await delivery;
    expect([response.status, await response.text()]).toEqual([200, "ok\n"]);
    expect(await app.exited).toBe(0);
    expect(app.lines.at(-1)).toMatchObject({
      level: "info",
      finished: ["acme/config#7"],
      resync: [],
      msg: expect.stringMatching(
        /^stopped cleanly: [01] webhook\(s\) and 1 reconcile\(s\) in flight finished; nothing is left for the resync$/,
      ),
    });
    expect(github.requests).toContain("GET /repos/acme/config/issues/7");
  });

  it("gives up after the grace period and says the resync picks the work up", async () => {
    github.routes.set("GET /repos/acme/config/issues/7", () => undefined); // never answers
    github.requests.length = 0;
    app = await startApp(github, { SHUTDOWN_GRACE_SECONDS: "1" });
    void sendWebhook(app.url, "issues", "delivery-8", ISSUE_OPENED).catch(() => undefined);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (github.requests.includes("GET /repos/acme/config/issues/7")) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    app.signal("SIGTERM");
    expect(await app.exited).toBe(0);
    expect(app.lines.at(-1)).toMatchObject({
      level: "warn",
      finished: [],
      resync: ["acme/config#7"],
      msg: expect.stringMatching(
        /^grace period over: [01] webhook\(s\) and 1 reconcile\(s\) still running are dropped; the resync re-checks acme\/config#7$/,
      ),
    });
  });
});
