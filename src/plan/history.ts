// The versions a plan writes of one file, kept as edits: a 1,000-group plan writes 1,000 versions of a config that
// lists 1,000 backends, and holding each whole kept 80 MB alive (and every young-generation GC copied them).
import { applyEdits, type TextEdit } from "../edit/index.js";

/** A version whose text is kept whole every so many versions, so reading one applies at most this many edits. */
const KEEP_EVERY = 32;

/** One version: its text, or the groups of edits (each against the text the group before it left) from the last one. */
type Version = { text: string | undefined } | { edits: readonly (readonly TextEdit[])[] };

export class FileHistory {
  private readonly versions: Version[];

  /** A history starting from `first` (undefined: the file did not exist). */
  constructor(first: string | undefined) {
    this.versions = [{ text: first }];
  }

  /** The newest version's number. */
  get newest(): number {
    return this.versions.length - 1;
  }

  /** Add a version: `edits` turn the newest version into `text` (undefined: keep `text` whole). Its number. */
  add(text: string, edits: readonly (readonly TextEdit[])[] | undefined): number {
    const number = this.versions.length;
    this.versions.push(edits === undefined || number % KEEP_EVERY === 0 ? { text } : { edits });
    return number;
  }

  /** The text of version `number`. */
  text(number: number): string | undefined {
    let from = number;
    for (;;) {
      const version = this.versions[from];
      if (version === undefined) throw new Error(`no version ${number} of this file`);
      if ("text" in version) break;
      from--;
    }
    let text = (this.versions[from] as { text: string | undefined }).text;
    for (let n = from + 1; n <= number; n++) {
      for (const group of (this.versions[n] as { edits: readonly (readonly TextEdit[])[] }).edits)
        text = applyEdits(text ?? "", group);
    }
    return text;
  }
}
