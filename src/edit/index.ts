// Surgical YAML text edits: every line an edit does not change stays byte-identical.
export { EditError, parsingForEdits, type YamlPath } from "./locate.js";
export {
  readSeqItems,
  readingSeqItems,
  removeSeqItems,
  removingSeqItems,
  appendSeqItems,
  appendingSeqItems,
  type SeqItem,
} from "./sequence.js";
export { setScalar, removeKey, insertMapEntry, readEntryRaw } from "./map.js";
export { unifiedDiff } from "./diff.js";
export { LineList, ScalarSlot } from "./splice.js";
export { applyEdits, type TextEdit } from "./text.js";
