import {
  TIE_RANK,
  parenthesized,
  type CheckState,
  type Deployment,
  type DeploymentStatus,
  type Observation,
} from "./types.js";

const DEPLOYMENT_STATE: Record<DeploymentStatus["state"], CheckState> = {
  success: "success",
  failure: "failure",
  error: "failure",
  inactive: "pending",
  in_progress: "pending",
  queued: "pending",
  pending: "pending",
};

/** The newest deployment to `environment` created at or after `since` (ties: highest id). */
function newestDeployment(environment: string, since: number, deployments: Deployment[]): Deployment | undefined {
  let newest: { deployment: Deployment; at: number } | undefined;
  for (const deployment of deployments) {
    const at = Date.parse(deployment.created_at);
    if (deployment.environment !== environment || !(at >= since)) continue;
    if (!newest || at > newest.at || (at === newest.at && deployment.id > newest.deployment.id)) {
      newest = { deployment, at };
    }
  }
  return newest?.deployment;
}

/** The statuses of the newest deployment to that environment since `since`, in time order. */
export function deploymentObservations(
  environment: string,
  since: number,
  deployments: Deployment[],
  statusesByDeployment: Map<number, DeploymentStatus[]>,
): Observation[] {
  const deployment = newestDeployment(environment, since, deployments);
  if (!deployment) return [];
  return (statusesByDeployment.get(deployment.id) ?? [])
    .map((status) => ({
      at: Date.parse(status.created_at),
      state: DEPLOYMENT_STATE[status.state],
      detail: `deployment ${deployment.id} (${deployment.sha.slice(0, 7)}) to ${environment}: ${status.state}${parenthesized(status.description)}`,
    }))
    .filter((observation) => Number.isFinite(observation.at))
    .sort((a, b) => a.at - b.at || TIE_RANK[a.state] - TIE_RANK[b.state]);
}
