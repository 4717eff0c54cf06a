// The App's requests to the simulator answered in the same process, without sockets. The simulator stands in for
// GitHub, whose HTTP server does not run on the App's thread; over loopback the simulator's server and the App's
// client share that thread, and their two HTTP stacks took about a third of it in the slowest reconciles. The bench
// times the rehearsal's reconciles both ways.
import { STATUS_CODES, type IncomingHttpHeaders } from "node:http";
import { httpExchange, requestOver, type Outgoing } from "../github/http-fetch.js";
import type { GitHubSim } from "../sim/index.js";

/**
 * The App's request options for a rehearsal whose simulator answers in-process: each request to the simulator's API is
 * answered by `GitHubSim.serve` (its routes, faults, conditional answers, latency, request log and round trips, as its
 * HTTP server answers) after a turn of the event loop, as a socket's answer takes; the App's own fetch follows
 * redirects and decodes answers as it does over HTTP. The archive a tarball's redirect points at, and any other host,
 * go over HTTP.
 */
export function inProcessRequest(sim: GitHubSim, baseUrl: string): ReturnType<typeof requestOver> {
  const origin = new URL(baseUrl).origin;
  return requestOver(async (out: Outgoing) => {
    if (out.url.origin !== origin || sim.archivePath(out.url.pathname)) return httpExchange(out);
    await new Promise((resolve) => setImmediate(resolve));
    const headers: IncomingHttpHeaders = { ...out.headers };
    const answer = await sim.serve(
      out.method,
      `${out.url.pathname}${out.url.search}`,
      headers,
      out.body?.toString("utf8") ?? "",
    );
    return {
      status: answer.status,
      statusText: STATUS_CODES[answer.status] ?? "",
      headers: Object.fromEntries(Object.entries(answer.headers).map(([name, value]) => [name.toLowerCase(), value])),
      bytes: Buffer.from(answer.text, "utf8"),
    };
  });
}
