import type { IncomingHttpHeaders } from "node:http";
import { badJson, missingField, notFound, SimHttpError } from "./http-error.js";

export interface SimRequest {
  method: string;
  url: URL;
  params: Record<string, string>;
  query: URLSearchParams;
  /** the JSON body when it is an object, else {} */
  body: Record<string, unknown>;
  /** the JSON body as sent (some endpoints accept a bare array) */
  rawBody: unknown;
  headers: IncomingHttpHeaders;
}

export interface SimResponse {
  status: number;
  /** undefined: no body (204) */
  body?: unknown;
  headers?: Record<string, string>;
}

export type Handler = (req: SimRequest) => SimResponse;

interface Route {
  method: string;
  pattern: string[];
  /** where the pattern's `*rest` parameter is; -1 when it has none */
  rest: number;
  handler: Handler;
}

/** Splits a raw path into decoded segments, so "heads%2Fmain" and "heads/main" both reach a `*ref` parameter. */
export function pathSegments(pathname: string): string[] {
  const segments: string[] = [];
  for (const s of pathname.split("/")) if (s !== "") segments.push(s.includes("%") ? decodeURIComponent(s) : s);
  return segments;
}

/** Whether a segment of a pattern takes any segment (`:param`) or only itself. */
function fits(pattern: string, segment: string | undefined): boolean {
  return pattern.startsWith(":") || pattern === segment;
}

/** The route's parameters when the segments fit its pattern (its literal segments checked before anything is built). */
function matchPattern(route: Route, segments: string[]): Record<string, string> | undefined {
  const { pattern, rest } = route;
  if (rest < 0 ? segments.length !== pattern.length : segments.length < pattern.length) return undefined;
  const head = rest < 0 ? pattern.length : rest;
  const tail = rest < 0 ? 0 : pattern.length - rest - 1;
  const last = segments.length - pattern.length;
  for (let i = 0; i < head; i++) if (!fits(pattern[i] as string, segments[i])) return undefined;
  for (let i = pattern.length - tail; i < pattern.length; i++)
    if (!fits(pattern[i] as string, segments[i + last])) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] as string;
    if (p.startsWith(":")) params[p.slice(1)] = segments[i < head ? i : i + last] as string;
  }
  if (rest >= 0) params[(pattern[rest] as string).slice(1)] = segments.slice(rest, segments.length - tail).join("/");
  return params;
}

/** Routes like "/repos/:owner/:repo/git/ref/*ref"; the first registered match wins. */
export class Router {
  private readonly routes: Route[] = [];
  /** The routes that can take a method and a number of segments, in the order they were added. */
  private readonly shapes = new Map<string, Route[]>();

  add(method: string, path: string, handler: Handler): void {
    const pattern = pathSegments(path);
    this.routes.push({ method, pattern, rest: pattern.findIndex((p) => p.startsWith("*")), handler });
    this.shapes.clear();
  }

  private routesFor(method: string, segments: number): Route[] {
    const key = `${method} ${segments}`;
    let routes = this.shapes.get(key);
    if (!routes) {
      routes = this.routes.filter(
        (r) => r.method === method && (r.rest < 0 ? r.pattern.length === segments : segments >= r.pattern.length),
      );
      this.shapes.set(key, routes);
    }
    return routes;
  }

  dispatch(method: string, url: URL, headers: IncomingHttpHeaders, rawText: string): SimResponse {
    const segments = pathSegments(url.pathname);
    for (const route of this.routesFor(method === "HEAD" ? "GET" : method, segments.length)) {
      const params = matchPattern(route, segments);
      if (!params) continue;
      let rawBody: unknown;
      if (rawText.trim() !== "") {
        try {
          rawBody = JSON.parse(rawText);
        } catch {
          throw badJson();
        }
      }
      const body =
        rawBody !== null && typeof rawBody === "object" && !Array.isArray(rawBody)
          ? (rawBody as Record<string, unknown>)
          : {};
      return route.handler({ method, url, params, query: url.searchParams, body, rawBody, headers });
    }
    throw notFound();
  }
}

// ---------- request helpers ----------

export function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (value === undefined || value === null) throw missingField(field);
  if (typeof value !== "string") {
    throw new SimHttpError(422, {
      message: `Invalid request.\n\nFor 'properties/${field}', ${JSON.stringify(value)} is not a string.`,
      documentation_url: "https://docs.github.com/rest",
    });
  }
  return value;
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  return typeof value === "string" ? value : undefined;
}

export function intParam(req: SimRequest, name: string): number {
  const raw = req.params[name] ?? "";
  if (!/^\d+$/.test(raw)) throw notFound();
  return Number(raw);
}

export function json(status: number, body: unknown, headers?: Record<string, string>): SimResponse {
  return headers ? { status, body, headers } : { status, body };
}

/** One page of a list (per_page up to 100, default 30) and GitHub's `link` header. */
export function paginate<T>(req: SimRequest, items: T[]): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Math.max(1, Number(req.query.get("per_page")) || 30));
  const pageNo = Math.max(1, Number(req.query.get("page")) || 1);
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const page = items.slice((pageNo - 1) * perPage, pageNo * perPage);
  const linkTo = (n: number) => {
    const url = new URL(req.url.href);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(n));
    return `<${url.href}>`;
  };
  const links: string[] = [];
  if (pageNo > 1) links.push(`${linkTo(Math.min(pageNo - 1, last))}; rel="prev"`);
  if (pageNo < last) links.push(`${linkTo(pageNo + 1)}; rel="next"`, `${linkTo(last)}; rel="last"`);
  if (pageNo > 1) links.push(`${linkTo(1)}; rel="first"`);
  return { page, headers: links.length > 0 ? { link: links.join(", ") } : {} };
}

/** A paginated plain-array answer. */
export function listResponse<T>(req: SimRequest, items: T[], render: (item: T) => unknown): SimResponse {
  const { page, headers } = paginate(req, items);
  return json(200, page.map(render), headers);
}
