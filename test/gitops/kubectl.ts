// The real kustomize, as `kubectl kustomize` (kustomize v4 or later): the machine's kubectl, else Debian's, installed
// with apt-get when missing (CI runs as root); the tests that need it are skipped, with a notice saying why, where
// none can be had.
import { execFileSync, spawnSync } from "node:child_process";

/** `Kustomize Version: v5.5.0` of `kubectl version --client` (kubectl 1.24 and later print it). */
function kustomizeVersion(): string | undefined {
  const run = spawnSync("kubectl", ["version", "--client"], { encoding: "utf8", timeout: 60_000 });
  if (run.status !== 0) return undefined;
  return /^Kustomize Version: (v\S+)$/m.exec(run.stdout)?.[1];
}

const recent = (version: string | undefined): boolean => Number(/^v(\d+)\./.exec(version ?? "")?.[1] ?? 0) >= 4;

/** Why kustomize cannot run here, or undefined when `kubectl kustomize` (v4 or later) can. */
export function ensureKustomize(): string | undefined {
  if (recent(kustomizeVersion())) return undefined;
  if (process.getuid?.() !== 0) return "kubectl with kustomize v4 or later is missing, and apt-get needs root";
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (...args: string[]) => spawnSync("apt-get", args, { env, encoding: "utf8", timeout: 10 * 60_000 });
  const update = apt("update", "-qq");
  if (update.status !== 0) return `apt-get update failed: ${(update.stderr || "").trim().split("\n")[0]}`;
  // kubectl where a Kubernetes package source is set up; Debian's own package is kubernetes-client.
  for (const name of ["kubectl", "kubernetes-client"]) {
    if (apt("install", "-y", "-qq", name).status === 0 && recent(kustomizeVersion())) return undefined;
  }
  return `apt-get has no kubectl with kustomize v4 or later (found: ${kustomizeVersion() ?? "none"})`;
}

/** `kubectl kustomize DIR`: its output, or its error line. */
export function kustomize(dir: string): { ok: true; yaml: string } | { ok: false; error: string } {
  try {
    return { ok: true, yaml: execFileSync("kubectl", ["kustomize", dir], { encoding: "utf8", stdio: "pipe" }) };
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? err);
    return { ok: false, error: (/err="(.*)"\s*$/s.exec(stderr)?.[1] ?? stderr).trim() };
  }
}
