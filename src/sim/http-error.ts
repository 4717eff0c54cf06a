export const DOCS_URL = "https://docs.github.com/rest";

/** An answer in GitHub's error shape; thrown by handlers and domain operations alike. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${String(body.message)}`);
  }
}

export function notFound(message = "Not Found"): SimHttpError {
  return new SimHttpError(404, { message, documentation_url: DOCS_URL });
}

/** The value, or GitHub's 404 when there is none. */
export function found<T>(value: T | undefined | null): T {
  if (value === undefined || value === null) throw notFound();
  return value;
}

/** 422 with a plain message, like "Reference already exists". */
export function unprocessable(message: string): SimHttpError {
  return new SimHttpError(422, { message, documentation_url: DOCS_URL });
}

export interface ValidationError {
  resource: string;
  code: string;
  field?: string;
  message?: string;
}

/** 422 "Validation Failed" with an errors[] array, the shape Octokit puts on error.response.data. */
export function validationFailed(...errors: ValidationError[]): SimHttpError {
  return new SimHttpError(422, { message: "Validation Failed", errors, documentation_url: DOCS_URL });
}

/** 422 for a request body that misses a required field, in GitHub's schema-validation words. */
export function missingField(field: string): SimHttpError {
  return new SimHttpError(422, {
    message: `Invalid request.\n\n"${field}" wasn't supplied.`,
    documentation_url: DOCS_URL,
  });
}

export function badJson(): SimHttpError {
  return new SimHttpError(400, { message: "Problems parsing JSON", documentation_url: DOCS_URL });
}

/** A GraphQL mutation GitHub refuses: answered 200 with `errors: [{type, message}]` and the field null. */
export class GraphqlRefusal extends Error {
  constructor(
    readonly type: "UNPROCESSABLE" | "NOT_FOUND" | "FORBIDDEN",
    message: string,
  ) {
    super(message);
  }
}
