// The fetch the App's Octokit sends GitHub requests with: Node's http and https clients on keep-alive agents instead
// of the global fetch (undici), whose Request, Headers, AbortSignal and web streams cost about a quarter of a
// millisecond of CPU per request more (a conditional GET through Octokit: 0.69-0.93 ms of main-thread CPU with the
// global fetch, 0.46-0.54 ms with this one). Octokit reads only what an answer here gives: the status, the final URL,
// the headers and the body as text, bytes or (`appRequest`) decoded.
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

/** Connections kept open between requests (their idle sockets do not hold the process open). */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** fetch's limit on redirects. */
const MAX_REDIRECTS = 20;

/** undici's: an answer whose headers or body stop coming for this long fails. */
const IDLE_MS = 300_000;

/** The part of fetch's options Octokit passes. */
export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  redirect?: string;
  signal?: AbortSignal | null;
  duplex?: string;
}

/** An answer's headers, read as fetch's Headers are: by any case of a name, and iterated as [name, value]. */
export class AnswerHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }

  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    // An array, not a generator: Octokit copies every answer's headers this way.
    const pairs: [string, string][] = [];
    for (const name of Object.keys(this.raw).sort()) {
      const value = this.get(name);
      if (value !== null) pairs.push([name, value]);
    }
    return pairs[Symbol.iterator]();
  }

  entries(): IterableIterator<[string, string]> {
    return this[Symbol.iterator]();
  }

  forEach(visit: (value: string, name: string) => void): void {
    for (const [name, value] of this) visit(value, name);
  }
}

/** An answer, its body already read (a config repo's API answers and archives are small). */
export class Answer {
  readonly headers: AnswerHeaders;
  readonly ok: boolean;

  constructor(
    readonly status: number,
    readonly statusText: string,
    headers: IncomingHttpHeaders,
    readonly url: string,
    readonly redirected: boolean,
    private readonly bytes: Buffer,
  ) {
    this.headers = new AnswerHeaders(headers);
    this.ok = status >= 200 && status < 300;
  }

  /** The body as UTF-8 text, a leading byte order mark dropped (as fetch decodes it). */
  async text(): Promise<string> {
    return textOf(this.bytes);
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    return bufferOf(this.bytes);
  }

  /**
   * The body decoded as Octokit decodes a successful answer, JSON with the runtime's own parser: what Octokit takes as
   * the answer's data when told not to parse (`appRequest`). Octokit's parser keeps integers past 2^53 exact (no id
   * GitHub gives comes near) and costs 5 to 9 times JSON.parse on Node 20: a list of PRs, about 0.4 ms.
   */
  get body(): unknown {
    const type = this.headers.get("content-type");
    if (type === null) return textOf(this.bytes);
    const [mime = "", ...parameters] = type.toLowerCase().split(";");
    const essence = mime.trim();
    if (essence === "application/json" || essence === "application/scim+json") {
      const text = textOf(this.bytes);
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
    }
    const utf8 = parameters.some((p) => p.trim().replace(/"/g, "") === "charset=utf-8");
    if (essence.startsWith("text/") || (utf8 && essence !== "application/octet-stream")) return textOf(this.bytes);
    return bufferOf(this.bytes);
  }
}

/** A copy of the bytes that owns its memory (a Buffer's may be a slice of a shared pool). */
function bufferOf(bytes: Buffer): ArrayBuffer {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy.buffer;
}

/** Bytes as UTF-8 text, a leading byte order mark dropped (as fetch decodes it). */
function textOf(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

/**
 * The request options of the App's Octokit: this fetch, and successful answers decoded by it (`Answer.body`) instead
 * of by Octokit. Errors (a 304, a 404) are still Octokit's RequestError, their bodies decoded by Octokit.
 */
export const appRequest = requestOver(httpExchange);

/**
 * The App's request options over another transport, with the same redirects and answers (a rehearsal's simulator
 * answering in the same process: rehearse/in-process.ts).
 */
export function requestOver(transport: Transport) {
  return { fetch: answering(fetchOver(transport)), parseSuccessResponseBody: false } as const;
}

/**
 * A fetch whose every answer decodes its body (`Answer.body`): one the global fetch gave (a request with an abort
 * signal, say) is read whole into an Answer.
 */
function answering(fetcher: typeof httpFetch) {
  return async (input: string | URL, init: FetchInit = {}): Promise<Response> => {
    const answer: unknown = await fetcher(input, init);
    if (answer instanceof Answer) return answer as never;
    const response = answer as Response;
    const headers: IncomingHttpHeaders = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    return new Answer(response.status, response.statusText, headers, response.url, response.redirected, bytes) as never;
  };
}

/** A body this client sends as it is; anything else (a stream, form data) goes to the global fetch. */
function bytesOf(body: unknown): Buffer | undefined | false {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string") return Buffer.from(body, "utf8");
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  return false;
}

/** fetch's failure: a TypeError whose cause is the network's error. */
function failed(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

/** One request as a transport sends it (headers by lower-case name). */
export interface Outgoing {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
}

/** One answer, read whole. */
export interface Exchanged {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
}

/** Sends one request and reads its whole answer. */
export type Transport = (out: Outgoing) => Promise<Exchanged>;

/** One request and its whole answer; a request on a kept-alive connection the server had just closed is sent again. */
/** One request over Node's HTTP or HTTPS client and its whole answer. */
export function httpExchange(out: Outgoing, retried = false): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    const https = out.url.protocol === "https:";
    const headers: OutgoingHttpHeaders = { ...out.headers };
    if (out.body) headers["content-length"] = String(out.body.length);
    let answered = false;
    const { hostname, port, pathname, search } = out.url;
    const sent: ClientRequest = (https ? httpsRequest : httpRequest)(
      {
        // What Node derives from a URL, without deriving it per request (an IPv6 host loses its brackets).
        hostname: hostname.startsWith("[") ? hostname.slice(1, -1) : hostname,
        port,
        path: `${pathname}${search}`,
        method: out.method,
        headers,
        agent: https ? agents.https : agents.http,
      },
      (answer) => {
        answered = true;
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.once("end", () =>
          resolve({
            status: answer.statusCode ?? 0,
            statusText: answer.statusMessage ?? "",
            headers: answer.headers,
            bytes: Buffer.concat(chunks),
          }),
        );
        answer.once("error", (err) => reject(failed(err)));
        answer.once("aborted", () => reject(failed(new Error("the answer was cut off"))));
      },
    );
    sent.setTimeout(IDLE_MS, () => sent.destroy(Object.assign(new Error("no answer in time"), { code: "ETIMEDOUT" })));
    sent.once("error", (err: NodeJS.ErrnoException) => {
      if (answered) return;
      // A kept-alive connection can be closed by the server as the request goes out: then nothing reached it.
      const reset = err.code === "ECONNRESET" || err.code === "EPIPE";
      if (reset && sent.reusedSocket && !retried) httpExchange(out, true).then(resolve, reject);
      else reject(failed(err));
    });
    sent.end(out.body);
  });
}

/** What fetch drops when a redirect changes the request to a GET without a body. */
const BODY_HEADERS = ["content-type", "content-length", "content-encoding", "content-language", "content-location"];

/** fetch over Node's clients, following redirects as fetch does; what it does not cover goes to the global fetch. */
export const httpFetch = fetchOver(httpExchange);

/** fetch over a transport, following redirects as fetch does; what it does not cover goes to the global fetch. */
function fetchOver(transport: Transport) {
  return async (input: string | URL, init: FetchInit = {}): Promise<Response> => {
    const body = bytesOf(init.body);
    const url = new URL(String(input));
    if (
      body === false ||
      init.signal ||
      (init.redirect !== undefined && init.redirect !== "follow") ||
      (url.protocol !== "http:" && url.protocol !== "https:")
    )
      return fetch(input, init as RequestInit);
    let out: Outgoing = {
      url,
      method: (init.method ?? "GET").toUpperCase(),
      headers: Object.fromEntries(
        Object.entries(init.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
      ),
      body,
    };
    for (let redirects = 0; ; redirects++) {
      const { status, statusText, headers: answered, bytes } = await transport(out);
      const location = answered.location;
      if (![301, 302, 303, 307, 308].includes(status) || location === undefined)
        return new Answer(status, statusText, answered, out.url.href, redirects > 0, bytes) as never;
      if (redirects >= MAX_REDIRECTS) throw failed(new Error("redirect count exceeded"));
      const next = new URL(location, out.url);
      const headers = { ...out.headers };
      // The credentials go only to the origin they were given for (codeload's archive URL carries its own token).
      if (next.origin !== out.url.origin) {
        delete headers.authorization;
        delete headers.cookie;
        delete headers["proxy-authorization"];
      }
      const toGet =
        status === 303 ? out.method !== "HEAD" : (status === 301 || status === 302) && out.method === "POST";
      if (toGet) for (const name of BODY_HEADERS) delete headers[name];
      out = { url: next, method: toGet ? "GET" : out.method, headers, body: toGet ? undefined : out.body };
    }
  };
}
