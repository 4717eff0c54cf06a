/** Every GitHub API error classified in one place, so callers decide on a type, never on message text. */
export type GitHubErrorKind =
  | "exists"
  | "not-found"
  | "conflict"
  | "rate-limit"
  | "transient"
  | "permission"
  | "invalid"
  | "other"
  /** No HTTP status and no network code: a bug in Handover, which retrying does not fix. */
  | "bug";

/** Kinds that retrying later can fix; every other one is shown on the dashboard until `/handover retry`. */
export const RETRYABLE: readonly GitHubErrorKind[] = ["rate-limit", "transient"];

/** Network failures (no HTTP answer): Node's socket errors and undici's. */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "EPIPE",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

interface RequestErrorLike {
  status?: unknown;
  name?: string;
  code?: string;
  message?: string;
  cause?: { code?: string; name?: string };
  request?: { method?: string; url?: string };
  response?: {
    headers?: Record<string, string | undefined>;
    data?: { message?: string; errors?: { message?: string; code?: string; resource?: string; field?: string }[] };
  };
}

function isNetworkError(e: RequestErrorLike): boolean {
  const codes = [e.code, e.cause?.code];
  const names = [e.name, e.cause?.name];
  return (
    codes.some((c) => c !== undefined && NETWORK_CODES.has(c)) ||
    names.some((n) => n === "AbortError" || n === "TimeoutError")
  );
}

function messages(err: RequestErrorLike): string[] {
  const data = err.response?.data;
  return [data?.message ?? "", ...(data?.errors ?? []).map((e) => e.message ?? "")];
}

/** By HTTP status (with GitHub's answer and rate-limit headers) or network code; never by the error's own text. */
export function classify(err: unknown): GitHubErrorKind {
  const e = (typeof err === "object" && err !== null ? err : {}) as RequestErrorLike;
  const status = typeof e.status === "number" ? e.status : 0;
  if (status === 0) return isNetworkError(e) ? "transient" : "bug";
  const headers = e.response?.headers ?? {};
  const texts = messages(e);
  if (
    status === 422 &&
    texts.some((m) => m.startsWith("Reference already exists") || m.startsWith("A pull request already exists"))
  )
    return "exists";
  if (
    status === 429 ||
    (status === 403 &&
      (headers["x-ratelimit-remaining"] === "0" ||
        headers["retry-after"] !== undefined ||
        texts.some((m) => /rate limit|abuse detection/i.test(m))))
  )
    return "rate-limit";
  if (status === 404 || (status === 422 && texts.some((m) => m.startsWith("Reference does not exist"))))
    return "not-found";
  if (status === 409) return "conflict";
  if (status >= 500) return "transient";
  if (status === 401 || status === 403) return "permission";
  if (status === 422 || status === 400) return "invalid";
  return "other";
}

/** Run a request; a `not-found` answer becomes undefined. */
export async function orUndefined<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (err) {
    if (classify(err) === "not-found") return undefined;
    throw err;
  }
}

/**
 * GitHub's answer to a compare of two commits with no commit in common (a branch pushed from an unrelated history):
 * 404, "No common ancestor between A and B." (a commit it does not know is a 404 "Not Found").
 */
export function unrelatedHistories(err: unknown): boolean {
  const e = (typeof err === "object" && err !== null ? err : {}) as RequestErrorLike;
  return e.status === 404 && messages(e).some((m) => m.startsWith("No common ancestor"));
}

/** The request an error answered, as `METHOD /path` (no host, no query), when it came from one. */
export function failedRequest(err: unknown): string | undefined {
  const request = (typeof err === "object" && err !== null ? (err as RequestErrorLike) : {}).request;
  if (!request?.method || !request.url) return undefined;
  let path: string;
  try {
    path = new URL(request.url).pathname;
  } catch {
    path = request.url.split("?")[0] ?? request.url;
  }
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // A malformed escape stays as GitHub saw it.
  }
  return `${request.method} ${decoded.replace(/^\/api\/v3(?=\/)/, "")}`;
}

/**
 * What went wrong, in one line: GitHub's message and its first error detail (its message, or resource, field and
 * code as GitHub gives them for a validation), or the error's own message.
 */
export function errorMessage(err: unknown): string {
  const e = (typeof err === "object" && err !== null ? err : {}) as RequestErrorLike;
  const data = e.response?.data;
  const first = data?.errors?.[0];
  const detail =
    first?.message ?? (first?.code ? [first.resource, first.field, first.code].filter(Boolean).join(" ") : undefined);
  const text = data?.message
    ? `${data.message}${detail ? `: ${detail}` : ""}`
    : typeof e.message === "string"
      ? e.message
      : String(err);
  return text.split("\n")[0] ?? "";
}
