export { checkModel, checkReadableTree, checkTree } from "./check.js";
