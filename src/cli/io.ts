import { readFile, stat } from "node:fs/promises";
import { readDirTree } from "./disk.js";
import { InputError } from "../spec/problems.js";

/** Where a command writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
}

export const EXIT = { ok: 0, refused: 1, badInput: 2 } as const;

export function processIo(): Io {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR,
  };
}

/** The config repo a command works on, or one clear line saying why it cannot be read. */
export async function readRepoDir(dir: string): Promise<Map<string, string>> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw new InputError([`--repo ${dir}: no such directory`]);
  if (!info.isDirectory()) throw new InputError([`--repo ${dir}: not a directory`]);
  return readDirTree(dir);
}

export async function readTextFile(flag: string, path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError([
      `${flag} ${path}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot be read (${code})`}`,
    ]);
  }
}

export function parseFormat(value: string): "text" | "json" {
  if (value !== "text" && value !== "json") throw new InputError([`--format ${value}: expected text or json`]);
  return value;
}

const STYLES = { red: 31, green: 32, yellow: 33, cyan: 36, bold: 1, dim: 2 } as const;
export type Style = keyof typeof STYLES;

/** ANSI colour only on a terminal. */
export function paint(io: Io, style: Style, text: string): string {
  return io.color ? `\u001b[${STYLES[style]}m${text}\u001b[0m` : text;
}
