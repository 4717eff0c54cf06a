import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { extract } from "tar-stream";

/** A config repo is small; an archive past this is refused rather than held in memory. */
export const ARCHIVE_MAX_BYTES = 256 * 2 ** 20;

/** Archive entries read between two turns of the event loop (a 1,000-file repo's archive is read in ten pieces). */
const ENTRIES_PER_PIECE = 100;

/**
 * The files of a GitHub repository archive (`GET /repos/{owner}/{repo}/tarball/{ref}`: a tar.gz whose entries sit
 * in one top folder, `<owner>-<repo>-<short sha>/`), by repo path. One request instead of one per blob.
 */
export async function readArchive(gzipped: Uint8Array): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const entries = extract();
  const done = pipeline(Readable.from([Buffer.from(gzipped)]), createGunzip(), entries);
  // A broken archive fails both the pipeline and the iteration below; the iteration reports it.
  done.catch(() => undefined);
  let total = 0;
  let read = 0;
  for await (const entry of entries) {
    // The entries of a gunzipped buffer come through promises alone: every hundred, let the event loop through.
    if (++read % ENTRIES_PER_PIECE === 0) await new Promise((resolve) => setImmediate(resolve));
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > ARCHIVE_MAX_BYTES)
        throw new Error(`the repository archive is larger than ${ARCHIVE_MAX_BYTES} bytes`);
      chunks.push(chunk);
    }
    const path = entry.header.name.split("/").slice(1).join("/");
    if (entry.header.type === "file" && path !== "") files.set(path, Buffer.concat(chunks));
  }
  await done;
  return files;
}
