// A real headless Chromium for the rendering checks: Debian's package, installed with apt-get when missing
// (CI runs as root on a fresh machine); never a browser download of its own.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/** The flags every start uses: no sandbox (root in CI), nothing fetched or synced in the background. */
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** The path of Debian's chromium, installing it when missing; or why it cannot be had here. */
export function ensureChromium(): { path: string } | { missing: string } {
  if (existsSync(CHROMIUM)) return { path: CHROMIUM };
  if (process.getuid?.() !== 0) return { missing: `${CHROMIUM} is missing and apt-get needs root` };
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const run = spawnSync("apt-get", args, { env, encoding: "utf8", timeout: 15 * 60_000 });
    if (run.status !== 0)
      return { missing: `apt-get ${args.join(" ")} failed: ${(run.stderr || run.error?.message || "").trim()}` };
  }
  return existsSync(CHROMIUM)
    ? { path: CHROMIUM }
    : { missing: `apt-get installed chromium but ${CHROMIUM} is missing` };
}

/** A fresh browser profile for one test file; close() removes it. */
export async function startChromium(path: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), "handover-chromium-"));
  // Playwright passes the profile as --user-data-dir itself (it must not be given twice).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: path,
    headless: true,
    args: FLAGS,
    ignoreDefaultArgs: ["--enable-automation"],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
