import { Counter, Gauge, type Registry } from "prom-client";

interface RequestOptions {
  method: string;
  url: string;
}
interface ResponseLike {
  status: number;
  headers: Record<string, string | number | undefined>;
}
interface OctokitHooks {
  hook: {
    wrap(
      name: "request",
      wrapper: (request: (options: RequestOptions) => Promise<ResponseLike>, options: RequestOptions) => unknown,
    ): void;
  };
}

/**
 * The endpoint class of a route template, few enough values to be a label: `pulls`, `issues`, `git`, `contents`,
 * `check-runs`, `statuses`, `deployments`, `app`, `installation`, `search`... (`/repos/{owner}/{repo}/pulls/{n}` is
 * `pulls`; `/repos/{owner}/{repo}` itself is `repos`).
 */
export function endpointClass(url: string): string {
  const path = url.replace(/^https?:\/\/[^/]+(\/api\/v3)?/, "").split("?")[0] ?? "";
  const parts = path.split("/").filter(Boolean);
  const first = parts[0] ?? "root";
  if (first !== "repos") return first.startsWith("{") ? "other" : first;
  const segment = parts[3];
  return segment === undefined || segment.startsWith("{") ? "repos" : segment;
}

/** Counts GitHub requests by endpoint class, method and status, and keeps the last rate-limit headroom seen. */
export function githubRequestMetrics(registry: Registry): (octokit: OctokitHooks) => void {
  const requests = new Counter({
    name: "handover_github_requests_total",
    help: "GitHub API requests, by endpoint class, method and HTTP status (0: no answer)",
    labelNames: ["endpoint", "method", "status"],
    registers: [registry],
  });
  const remaining = new Gauge({
    name: "handover_github_rate_limit_remaining",
    help: "Requests left in GitHub's current rate-limit window, by resource (core, search, graphql...), as last seen",
    labelNames: ["resource"],
    registers: [registry],
  });
  const observe = (options: RequestOptions, status: number, headers: ResponseLike["headers"] | undefined): void => {
    requests.inc({ endpoint: endpointClass(options.url), method: options.method, status: String(status) });
    const left = Number(headers?.["x-ratelimit-remaining"]);
    if (headers?.["x-ratelimit-remaining"] !== undefined && Number.isFinite(left)) {
      remaining.set({ resource: String(headers["x-ratelimit-resource"] ?? "core") }, left);
    }
  };
  return (octokit) => {
    octokit.hook.wrap("request", async (request, options) => {
      try {
        const response = await request(options);
        observe(options, response.status, response.headers);
        return response;
      } catch (err) {
        const failed = err as { status?: number; response?: ResponseLike };
        observe(options, typeof failed.status === "number" ? failed.status : 0, failed.response?.headers);
        throw err;
      }
    });
  };
}
