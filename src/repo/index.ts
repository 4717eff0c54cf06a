export {
  loadRepo,
  loadingRepo,
  type ActionObject,
  clusterDirs,
  folderOf,
  staticSites,
  type Backend,
  type ClusterModel,
  type LoadResult,
  type Reach,
  type ReachKind,
  type RepoModel,
} from "./model.js";
export { endpointIdentity, httpIdentity, normalizeUrl, resolveCorePath } from "./paths.js";
export { ERA_ADAPTERS, BACKEND_LIST_PATH, type EraAdapter } from "./eras.js";
export { staticReach } from "./static.js";
export { PLACEHOLDER, type Dependency, type Placeholder } from "./core.js";
export { diffTrees, filesUnder, withFile, type ChangeAction, type FileChange, type FileMap } from "./tree.js";
export {
  KUSTOMIZATION_NAMES,
  isKustomization,
  kustomizationIn,
  kustomizationRefs,
  readingKustomizationRefs,
  kustomizationFiles,
  refResolves,
  danglingRefs,
  findingDanglingRefs,
  findingDanglingIn,
  namePattern,
  type KustomizeRef,
  type KustomizeField,
} from "./kustomize.js";
export {
  builtResources,
  fileResources,
  findingResourceClashes,
  resourceName,
  type BuiltResource,
  type ResourceClash,
} from "./kustomize-build.js";
export { deployerOf, deployers, findingDeployerClashes, type Deployer, type DeployerClash } from "./deployers.js";
