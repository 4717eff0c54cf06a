// Realistic inputs shared by the edit tests.
export const coreConfig = `# replicante.yaml — identical on every node
api:
  bind: '0.0.0.0:16016'

discovery:
  backends:
    files:
      - 'conf.d/kafka.yaml'   # the kafka fleet
      - "conf.d/mongo.yaml"
      - /opt/replicante/conf.d/zookeeper.yaml
  interval: 60
`;

export const httpConfig = `discovery:
  backends:
    http:
      - url: 'https://kafka.internal:8080/discover'
        method: GET
        timeout: 30000
      # mongo moved here in 2023
      - url: 'https://mongo.internal:8080/discover'   # primary
        method: POST
        headers:
          x-token: abc

  interval: 60
`;

export const statefulSet = `apiVersion: v1
kind: Service
metadata:
  name: replicore-a   # headless
spec:
  clusterIP: None
---
# the Core process itself
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: replicore-a
spec:
  serviceName: replicore-a
  template:
    metadata:
      labels:
        app: replicore-a   # selector, do not change
    spec:
      containers:
        - name: core
          image: "replicante/replicante:0.3.1"
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: replicore-a-config
`;

export const files = ["discovery", "backends", "files"] as const;
export const http = ["discovery", "backends", "http"] as const;
export const restartKey = ["spec", "template", "metadata", "annotations", "handover.replicante.io/restart"] as const;

export const crlf = (text: string): string => text.replace(/\n/g, "\r\n");
