export { checkingModel, checkingTree, checkModel, checkReadableTree, checkTree } from "./check.js";
