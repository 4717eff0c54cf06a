// Vitest global setup: every temporary folder a test makes (its own, the CLI's and the App processes' it spawns) goes
// under one folder of this run, removed when the run ends, so that runs do not pile folders up in the system's tmp.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "handover-test-"));
  // Read by os.tmpdir() in the test workers, which inherit this environment, and in the processes they spawn.
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
