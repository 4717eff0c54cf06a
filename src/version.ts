import { readFileSync } from "node:fs";

/** The package's version, read from package.json beside lib/ and src/ (one home for it, shown by both bins). */
export const VERSION = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
