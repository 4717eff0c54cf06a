/** Every GitHub API error classified in one place, so callers decide on a type, never on message text. */
export type GitHubErrorKind =
  | "exists"
  | "not-found"
  | "conflict"
  | "rate-limit"
  | "transient"
  | "permission"
  | "invalid"
  | "other";

interface RequestErrorLike {
  status?: number;
  response?: { data?: { message?: string; errors?: { message?: string; code?: string }[] } };
}

function messages(err: RequestErrorLike): string[] {
  const data = err.response?.data;
  return [data?.message ?? "", ...(data?.errors ?? []).map((e) => e.message ?? "")];
}

export function classify(err: unknown): GitHubErrorKind {
  const e = err as RequestErrorLike;
  const status = e.status ?? 0;
  const texts = messages(e);
  if (
    status === 422 &&
    texts.some((m) => m.startsWith("Reference already exists") || m.startsWith("A pull request already exists"))
  )
    return "exists";
  if ((status === 403 || status === 429) && texts.some((m) => /rate limit|abuse detection/i.test(m)))
    return "rate-limit";
  if (status === 404 || (status === 422 && texts.some((m) => m.startsWith("Reference does not exist"))))
    return "not-found";
  if (status === 409) return "conflict";
  if (status >= 500 || status === 0) return "transient";
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
