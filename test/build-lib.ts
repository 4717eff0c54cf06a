// Vitest global setup: tests that spawn bin/handover.js or bin/handover-app.js run the compiled lib/, so compile it
// first when any source file is newer than what lib/ holds (`npm ci` builds it; after an edit this catches up).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sources(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

export default function setup(): void {
  const stale = sources("src").some((source) => {
    const built = join("lib", relative("src", source)).replace(/\.ts$/, ".js");
    return !existsSync(built) || statSync(built).mtimeMs < statSync(source).mtimeMs;
  });
  if (stale) execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
}
