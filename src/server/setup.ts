import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";

/**
 * `handover-app setup`: GitHub's App manifest flow. A page on localhost posts the manifest (app.yml, plus the webhook
 * URL) to GitHub; GitHub creates the App and sends the browser back with a code; the code is exchanged for the App's
 * id, key and webhook secret, which are written to `.env` beside the other settings. Nothing else is kept anywhere.
 */
export interface SetupOptions {
  /** Where GitHub will reach handover-app, e.g. https://handover.example.com (the webhook URL is this + path). */
  publicUrl: string;
  webhookPath: string;
  /** Register the App under this organization instead of the signed-in user. */
  org?: string;
  /** The App's name on GitHub (unique there); app.yml's by default. */
  name?: string;
  /** github.com, or the GHE_HOST. */
  githubHost: string;
  protocol: "https" | "http";
  host: string;
  port: number;
  /** The folder whose .env is written (the working directory). */
  dir: string;
  manifestFile: string;
  log(line: string): void;
}

interface Conversion {
  id: number;
  slug: string;
  pem: string;
  webhook_secret: string;
  html_url: string;
  client_id?: string;
  client_secret?: string;
}

const escapeHtml = (text: string): string =>
  text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");

/** The manifest GitHub receives: app.yml with the webhook and redirect URLs filled in. */
export function manifestOf(options: SetupOptions, redirectUrl: string): Record<string, unknown> {
  const appYml = parseYaml(readFileSync(options.manifestFile, "utf8")) as Record<string, unknown>;
  return {
    ...appYml,
    ...(options.name ? { name: options.name } : {}),
    url: options.publicUrl,
    hook_attributes: { url: `${options.publicUrl.replace(/\/$/, "")}${options.webhookPath}`, active: true },
    redirect_url: redirectUrl,
  };
}

/** `.env` with the App's settings set (other lines kept, these keys replaced). */
export function envFileWith(previous: string, values: Record<string, string>): string {
  const kept = previous
    .split("\n")
    .filter((line) => line.trim() !== "" && !Object.keys(values).some((key) => line.startsWith(`${key}=`)));
  // A PEM spans lines: double quotes keep it one value for Node's --env-file / util.parseEnv, dotenv and compose.
  const set = Object.entries(values).map(([key, value]) => `${key}=${value.includes("\n") ? `"${value}"` : value}`);
  return `${[...kept, ...set].join("\n")}\n`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:4em auto">${body}</body></html>`;
}

/** Serves the flow until the App is created; resolves with the App's page on GitHub. */
export function runSetup(options: SetupOptions): Promise<{ close(): void; done: Promise<string>; url: string }> {
  const state = randomBytes(16).toString("hex");
  const api =
    options.githubHost === "github.com"
      ? "https://api.github.com"
      : `${options.protocol}://${options.githubHost}/api/v3`;
  const newAppUrl = `${options.protocol}://${options.githubHost}${
    options.org ? `/organizations/${encodeURIComponent(options.org)}` : ""
  }/settings/apps/new?state=${state}`;
  let finish: (url: string) => void = () => undefined;
  const done = new Promise<string>((resolve) => (finish = resolve));

  async function callback(res: ServerResponse, query: URLSearchParams): Promise<void> {
    const code = query.get("code");
    if (query.get("state") !== state || !code || !/^[A-Za-z0-9_-]+$/.test(code)) {
      res.writeHead(400, { "content-type": "text/plain" }).end("unexpected callback: start again from /\n");
      return;
    }
    const response = await fetch(`${api}/app-manifests/${code}/conversions`, {
      method: "POST",
      headers: { accept: "application/vnd.github+json", "user-agent": "handover-app-setup" },
    });
    if (!response.ok) {
      options.log(`GitHub refused the manifest code (HTTP ${response.status}); start again from /`);
      res.writeHead(502, { "content-type": "text/plain" }).end(`GitHub answered HTTP ${response.status}\n`);
      return;
    }
    const app = (await response.json()) as Conversion;
    const envPath = join(options.dir, ".env");
    const previous = existsSync(envPath) ? readFileSync(envPath, "utf8") : "";
    writeFileSync(
      envPath,
      envFileWith(previous, {
        APP_ID: String(app.id),
        PRIVATE_KEY: app.pem.trim(),
        WEBHOOK_SECRET: app.webhook_secret,
        ...(options.githubHost === "github.com" ? {} : { GHE_HOST: options.githubHost }),
        ...(app.client_id ? { GITHUB_CLIENT_ID: app.client_id } : {}),
        ...(app.client_secret ? { GITHUB_CLIENT_SECRET: app.client_secret } : {}),
      }),
      { mode: 0o600 },
    );
    chmodSync(envPath, 0o600); // the mode above applies only to a new file; .env now holds the App's key

    options.log(`App ${app.slug} (id ${app.id}) created; its settings are in ${envPath}`);
    options.log(`Install it on the config repository: ${app.html_url}/installations/new`);
    res.writeHead(302, { location: `${app.html_url}/installations/new` }).end();
    finish(app.html_url);
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const self = `http://${req.headers.host ?? `${options.host}:${options.port}`}`;
    if (req.method === "GET" && url.pathname === "/") {
      const manifest = JSON.stringify(manifestOf(options, `${self}/callback`));
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(
        page(
          "Register Handover",
          `<h1>Register Handover as a GitHub App</h1>
<p>GitHub will create the App with these permissions and events, and send webhooks to
<code>${escapeHtml(`${options.publicUrl.replace(/\/$/, "")}${options.webhookPath}`)}</code>.</p>
<form action="${escapeHtml(newAppUrl)}" method="post">
<input type="hidden" name="manifest" value="${escapeHtml(manifest)}">
<button type="submit">Register on ${escapeHtml(options.githubHost)}</button></form>`,
        ),
      );
      return;
    }
    if (req.method === "GET" && url.pathname === "/callback") {
      void callback(res, url.searchParams).catch((err: Error) => {
        options.log(`exchanging the code failed: ${err.message}`);
        if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" }).end(`${err.message}\n`);
      });
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => {
      const url = `http://${options.host === "0.0.0.0" ? "localhost" : options.host}:${options.port}/`;
      options.log(`open ${url} in a browser signed in to ${options.githubHost} to register the App`);
      resolve({ close: () => server.close(), done, url });
    });
  });
}
