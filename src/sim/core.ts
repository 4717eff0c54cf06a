import { createHash } from "node:crypto";
import type { Actor, SimClock } from "./model.js";

/** What every repository in the sim shares: time, ids, identity of the App, the webhook queue. */
export interface SimCore {
  readonly clock: SimClock;
  readonly installationId: number;
  readonly appId: number;
  readonly bot: Actor;
  /** the API base URL the sim listens on (known after start) */
  apiUrl(): string;
  nextId(): number;
  emit(event: string, payload: Record<string, unknown>): void;
}

export const HTML_URL = "https://github.com";

/** Ids by login: every rendered user (each comment, PR, payload sender) asks again for the same few. */
const userIds = new Map<string, number>();

/** A stable numeric id for a login, so users keep their id across runs. */
export function userId(login: string): number {
  let id = userIds.get(login);
  if (id === undefined) {
    id = parseInt(createHash("sha1").update(login).digest("hex").slice(0, 7), 16);
    if (userIds.size >= 10_000) userIds.clear();
    userIds.set(login, id);
  }
  return id;
}

/** The Actor for a login: logins ending in "[bot]" are bots, as on GitHub. */
export function actorFor(login: string): Actor {
  return { login, type: login.endsWith("[bot]") ? "Bot" : "User" };
}

export function renderUser(login: string): Record<string, unknown> {
  const actor = actorFor(login);
  const id = userId(login);
  return {
    login,
    id,
    node_id: `U_${id.toString(36)}`,
    type: actor.type,
    site_admin: false,
    html_url: `${HTML_URL}/${login.replace(/\[bot\]$/, "")}`,
  };
}

export function personFor(login: string, date: string): { name: string; email: string; date: string } {
  return { name: login, email: `${userId(login)}+${login}@users.noreply.github.com`, date };
}

/** Where the simulator serves repository archives (GitHub's codeload host): not REST, so not logged or counted. */
export const CODELOAD_PATH = "/_codeload";
