export { checkModel, checkTree } from "./check.js";
