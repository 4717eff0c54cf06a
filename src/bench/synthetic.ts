// The bench's worst cases for the planner, also planned in full by tests.

/** The source's Core config up to its discovery backends' list. */
const CONFIG_HEAD = [
  "# generated",
  "coordinator:",
  "  options:",
  "    ensemble: 'zk.a:2181/replicante'",
  "discovery:",
  "  backends:",
];

/** A files-era config repo with `n` discovery files (one backend each): the bench's plan[], and its plan_static crossing out of the era. */
export function syntheticRepo(n: number): Map<string, string> {
  const files = new Map<string, string>();
  const entries: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `store-${String(i).padStart(4, "0")}`;
    entries.push(`      - 'conf.d/${name}.yaml'`);
    files.set(
      `clusters/replicore-a/conf.d/${name}.yaml`,
      `- cluster_id: ${name}\n  nodes:\n    - 'http://${name}-1.data:37017'\n    - 'http://${name}-2.data:37017'\n`,
    );
  }
  return withSource(files, [
    ...CONFIG_HEAD,
    "    files:",
    ...entries,
    "  interval: 60",
    "storage:",
    "  options:",
    "    db: replicore",
    "    uri: 'mongodb://mongo.a:27017/'",
    "",
  ]);
}

/** The source cluster replicore-a with this Core config, its StatefulSet (the restart key's file) and its entry. */
function withSource(files: Map<string, string>, config: string[]): Map<string, string> {
  files.set("clusters/replicore-a/replicante.yaml", config.join("\n"));
  files.set(
    "clusters/replicore-a/statefulset.yaml",
    "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: replicore-a\nspec:\n  template:\n    metadata:\n      annotations: {}\n",
  );
  files.set(
    ".github/handover.yml",
    [
      "version: 1",
      "clusters:",
      "  replicore-a:",
      "    config: clusters/replicore-a/replicante.yaml",
      "    restart: { file: clusters/replicore-a/statefulset.yaml, key: [spec, template, metadata, annotations, handover.replicante.io/restart] }",
      "    health: [{ status: 'deploy/replicore-a' }]",
      "",
    ].join("\n"),
  );
  return files;
}

/**
 * syntheticRepo with the source packaged by Kustomize as a pod could run it: the Core config in one generator, mounted
 * by `subPath`, and every discovery file in another, mounted at `conf.d` (a ConfigMap holds no folders). Each adopt
 * step registers its copy in the target's discovery generator, and the check follows the Core container to each file.
 */
export function syntheticKustomizeRepo(n: number): Map<string, string> {
  const files = syntheticRepo(n);
  const discovery = [...files.keys()].filter((path) => path.startsWith("clusters/replicore-a/conf.d/"));
  files.set(
    "clusters/replicore-a/kustomization.yaml",
    [
      "resources:",
      "  - statefulset.yaml",
      "configMapGenerator:",
      "  - name: replicore-a-config",
      "    files:",
      "      - replicante.yaml",
      "  - name: replicore-a-discovery",
      "    files:",
      ...discovery.map((path) => `      - ${path.slice("clusters/replicore-a/".length)}`),
      "",
    ].join("\n"),
  );
  files.set(
    "clusters/replicore-a/statefulset.yaml",
    [
      "apiVersion: apps/v1",
      "kind: StatefulSet",
      "metadata:",
      "  name: replicore-a",
      "spec:",
      "  template:",
      "    metadata:",
      "      annotations: {}",
      "    spec:",
      "      containers:",
      "        - name: replicante",
      "          image: replicanteio/replicante:v0.3.1",
      "          workingDir: /etc/replicante",
      "          volumeMounts:",
      "            - { name: config, mountPath: /etc/replicante/replicante.yaml, subPath: replicante.yaml }",
      "            - { name: discovery, mountPath: /etc/replicante/conf.d }",
      "      volumes:",
      "        - { name: config, configMap: { name: replicore-a-config } }",
      "        - { name: discovery, configMap: { name: replicore-a-discovery } }",
      "",
    ].join("\n"),
  );
  files.set("clusters/kustomization.yaml", "resources:\n  - ./replicore-a\n");
  return files;
}

/**
 * An http-era (Core 0.5) config repo with `n` discovery endpoints, each a map over two lines: the bench's plan_http,
 * and, crossing into Core 0.7 (each endpoint written as a DiscoverySettings object), its plan_crossing.
 */
export function syntheticHttpRepo(n: number): Map<string, string> {
  const entries: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `inventory-${String(i).padStart(4, "0")}`;
    entries.push(`      - url: 'https://${name}.corp:8443/replicante'`, "        method: GET");
  }
  return withSource(new Map(), [
    ...CONFIG_HEAD,
    "    http:",
    ...entries,
    "  interval: 60",
    "storage:",
    "  primary:",
    "    backend: mongodb",
    "    options:",
    "      db: replicore",
    "      uri: 'mongodb://mongo.a:27017/'",
    "",
  ]);
}

/**
 * A settings-era (Core 0.7) config repo with `n` DiscoverySettings objects, one file each (release disables the
 * source's object, adopt copies it into the target's folder): the bench's plan_settings.
 */
export function syntheticSettingsRepo(n: number): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const name = `inventory-${String(i).padStart(4, "0")}`;
    files.set(
      `clusters/replicore-a/apply/${name}.yaml`,
      [
        "apiVersion: replicante.io/v0",
        "kind: DiscoverySettings",
        "metadata:",
        "  namespace: default",
        `  name: ${name}`,
        "spec:",
        "  backend: http",
        "  enabled: true",
        `  url: 'http://${name}.corp:9876/discover'`,
        "",
      ].join("\n"),
    );
  }
  files.set("clusters/replicore-a/replicante.yaml", "discovery:\n  interval: 15\n");
  files.set(
    ".github/handover.yml",
    [
      "version: 1",
      "clusters:",
      "  replicore-a:",
      "    config: clusters/replicore-a/replicante.yaml",
      "    discovery: settings",
      "    settings_dir: clusters/replicore-a/apply",
      "    health: [{ deployment: replicore-a }]",
      "",
    ].join("\n"),
  );
  return files;
}
