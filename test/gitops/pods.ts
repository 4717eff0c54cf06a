// What kustomize's output gives a Replicante Core container, read as the kubelet sets up its volumes: the oracle the
// tests hold Handover's reading of packaging to. The build itself (generators, name references, hashes) is the real
// kustomize's; this only reads the objects it put out.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { afterAll } from "vitest";
import { parse, parseAllDocuments } from "yaml";

/** A scratch folder for the test file, removed after its tests; `onDisk` writes one tree in a folder of its own. */
export function scratch(): { onDisk(tree: Map<string, string>): string } {
  const root = mkdtempSync(join(tmpdir(), "handover-kustomize-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let trees = 0;
  return {
    onDisk(tree) {
      const dir = join(root, String(trees++));
      for (const [path, text] of tree) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      return dir;
    },
  };
}

// biome-ignore lint/suspicious/noExplicitAny: Kubernetes objects as kustomize put them out, read field by field
type K8s = Record<string, any>;

/** A Replicante Core container as it would run. */
export interface Pod {
  /** Every file its ConfigMap volumes give it, by absolute path. */
  files: Map<string, string>;
  /** Its working directory (`/` when the manifest sets none). */
  cwd: string;
  /** The absolute path of its Core config: `--config`, else `replicante.yaml` in the working directory. */
  config: string;
  /** The discovery files the config it reads lists, as absolute paths. */
  discovery: string[];
  /**
   * Keys the `items` of a volume it mounts name and its ConfigMap lacks: "If a key is specified which is not present in
   * the ConfigMap, the volume setup will error unless it is marked optional" (Kubernetes' API reference,
   * ConfigMapVolumeSource.items), and the pod does not start.
   */
  unset: string[];
}

/**
 * The Replicante containers of the StatefulSets and Deployments of one build, with the files their ConfigMap volumes
 * give them: a `subPath` mount gives one key, `items` the keys they name at their paths, else every key. A key the
 * ConfigMap does not hold gives no file, and, named by `items`, keeps the pod from starting (`unset`).
 */
export function podsOf(yaml: string): Pod[] {
  const objects = parseAllDocuments(yaml).map((doc) => doc.toJS() as K8s);
  const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap").map((o) => [o.metadata.name, o.data ?? {}]));
  const workloads = objects.filter((o) => ["StatefulSet", "Deployment"].includes(o.kind));
  return workloads.flatMap((w) =>
    (w.spec.template.spec.containers as K8s[])
      .filter((c) => String(c.image).startsWith("replicanteio/replicante:"))
      .map((c): Pod => {
        const volumes = new Map(((w.spec.template.spec.volumes ?? []) as K8s[]).map((v) => [v.name, v.configMap]));
        const files = new Map<string, string>();
        const unset: string[] = [];
        const give = (path: string, data: Record<string, string>, key: string) => {
          if (key in data) files.set(path, data[key] as string);
        };
        for (const mount of (c.volumeMounts ?? []) as K8s[]) {
          const source = volumes.get(mount.name);
          const data: Record<string, string> = configMaps.get(source?.name) ?? {};
          for (const { key } of (source?.items ?? []) as K8s[]) if (!(key in data) && !source.optional) unset.push(key);
          if (mount.subPath) give(mount.mountPath, data, mount.subPath);
          else
            for (const { key, path } of (source.items as K8s[] | undefined) ??
              Object.keys(data).map((key) => ({ key, path: key })))
              give(posix.join(mount.mountPath, path), data, key);
        }
        const cwd = c.workingDir ?? "/";
        const args: string[] = c.args ?? [];
        const flag = args.findIndex((a) => a === "--config" || a.startsWith("--config="));
        const configArg = flag === -1 ? "replicante.yaml" : ((args[flag]?.slice(9) || args[flag + 1]) ?? "");
        const config = posix.resolve(cwd, configArg);
        const read = parse(files.get(config) ?? "{}") as K8s;
        const listed: string[] = read?.discovery?.backends?.files ?? [];
        return { files, cwd, config, discovery: listed.map((entry) => posix.resolve(cwd, entry)), unset };
      }),
  );
}
