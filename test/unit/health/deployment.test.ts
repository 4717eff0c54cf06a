import { describe, expect, it } from "vitest";
import {
  deploymentObservations,
  type Deployment,
  type DeploymentStatus,
  type Observation,
} from "../../../src/health/index.js";

const T0 = Date.parse("2024-05-01T12:00:00Z");
const iso = (s: number): string => new Date(T0 + s * 1000).toISOString();
const at = (s: number): number => T0 + s * 1000;

const deployment = (id: number, environment: string, s: number): Deployment => ({
  id,
  sha: `${id}abcdef0123456789`,
  environment,
  created_at: iso(s),
});
const ds = (state: DeploymentStatus["state"], s: number, description?: string): DeploymentStatus => ({
  state,
  created_at: iso(s),
  ...(description !== undefined ? { description } : {}),
});

const cases: {
  name: string;
  since: number;
  deployments: Deployment[];
  statuses: [number, DeploymentStatus[]][];
  want: Observation[];
}[] = [
  { name: "no deployment at all", since: at(0), deployments: [], statuses: [], want: [] },
  {
    name: "only deployments before since, or to another environment",
    since: at(100),
    deployments: [deployment(1, "replicore-a", 99), deployment(2, "replicore-b", 200)],
    statuses: [
      [1, [ds("success", 120)]],
      [2, [ds("success", 220)]],
    ],
    want: [],
  },
  {
    name: "the newest deployment at or after since is used, its statuses in time order",
    since: at(100),
    deployments: [
      deployment(1, "replicore-a", 50),
      deployment(2, "replicore-a", 100),
      deployment(3, "replicore-a", 130),
    ],
    statuses: [
      [1, [ds("failure", 60)]],
      [2, [ds("failure", 110)]],
      [3, [ds("success", 160, "Deployed"), ds("in_progress", 140), ds("queued", 131)]],
    ],
    want: [
      { at: at(131), state: "pending", detail: "deployment 3 (3abcdef) to replicore-a: queued" },
      { at: at(140), state: "pending", detail: "deployment 3 (3abcdef) to replicore-a: in_progress" },
      { at: at(160), state: "success", detail: "deployment 3 (3abcdef) to replicore-a: success (Deployed)" },
    ],
  },
  {
    name: "a deployment created exactly at since counts",
    since: at(100),
    deployments: [deployment(7, "replicore-a", 100)],
    statuses: [[7, [ds("pending", 101)]]],
    want: [{ at: at(101), state: "pending", detail: "deployment 7 (7abcdef) to replicore-a: pending" }],
  },
  {
    name: "error and failure are failure; inactive is pending",
    since: at(0),
    deployments: [deployment(4, "replicore-a", 10)],
    statuses: [[4, [ds("success", 11), ds("inactive", 12), ds("error", 13, "timeout"), ds("failure", 14)]]],
    want: [
      { at: at(11), state: "success", detail: "deployment 4 (4abcdef) to replicore-a: success" },
      { at: at(12), state: "pending", detail: "deployment 4 (4abcdef) to replicore-a: inactive" },
      { at: at(13), state: "failure", detail: "deployment 4 (4abcdef) to replicore-a: error (timeout)" },
      { at: at(14), state: "failure", detail: "deployment 4 (4abcdef) to replicore-a: failure" },
    ],
  },
  {
    name: "the newest deployment has no statuses yet",
    since: at(0),
    deployments: [deployment(5, "replicore-a", 10), deployment(6, "replicore-a", 20)],
    statuses: [[5, [ds("success", 15)]]],
    want: [],
  },
  {
    name: "two deployments in the same second: the higher id is the newest",
    since: at(0),
    deployments: [deployment(9, "replicore-a", 10), deployment(8, "replicore-a", 10)],
    statuses: [
      [8, [ds("failure", 11)]],
      [9, [ds("success", 11)]],
    ],
    want: [{ at: at(11), state: "success", detail: "deployment 9 (9abcdef) to replicore-a: success" }],
  },
  {
    name: "same-second in_progress and success: success is ordered last",
    since: at(0),
    deployments: [deployment(3, "replicore-a", 10)],
    statuses: [[3, [ds("success", 12), ds("in_progress", 12)]]],
    want: [
      { at: at(12), state: "pending", detail: "deployment 3 (3abcdef) to replicore-a: in_progress" },
      { at: at(12), state: "success", detail: "deployment 3 (3abcdef) to replicore-a: success" },
    ],
  },
];

describe("deploymentObservations", () => {
  it.each(cases)("$name", ({ since, deployments, statuses, want }) => {
    expect(deploymentObservations("replicore-a", since, deployments, new Map(statuses))).toEqual(want);
  });
});
