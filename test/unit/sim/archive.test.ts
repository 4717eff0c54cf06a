// Reading a big tree in one archive: the simulator answers GET /tarball/{ref} as GitHub does (a 302 to codeload,
// which serves a tar.gz with one top folder), and the adapter reads a tree of more than three unknown files with 2
// counted requests.
import { describe, expect, it } from "vitest";
import { readArchive } from "../../../src/github/archive.js";
import { OctokitPort, type OctokitLike } from "../../../src/github/index.js";
import { OWNER, REPO, useSim } from "./helpers.js";

const h = useSim();

function manyFiles(n: number): Map<string, string> {
  const files = new Map<string, string>();
  for (let i = 0; i < n; i++) files.set(`clusters/a/conf.d/store-${i}.yaml`, `- cluster_id: store-${i}\n`);
  files.set("README.md", "# config\n");
  return files;
}

describe("repository archives", () => {
  it("redirects a tarball request to codeload, which serves every file under one top folder", async () => {
    const sha = h.sim.seedTree(manyFiles(3));
    const redirect = await fetch(`${h.baseUrl}/repos/${OWNER}/${REPO}/tarball/${sha}`, { redirect: "manual" });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get("location") ?? "";
    expect(location).toBe(`${h.baseUrl}/_codeload/${OWNER}/${REPO}/${sha}`);
    const archive = await fetch(location);
    expect(archive.headers.get("content-type")).toBe("application/x-gzip");
    const files = await readArchive(new Uint8Array(await archive.arrayBuffer()));
    expect([...files.keys()].sort()).toEqual([
      "README.md",
      "clusters/a/conf.d/store-0.yaml",
      "clusters/a/conf.d/store-1.yaml",
      "clusters/a/conf.d/store-2.yaml",
    ]);
    expect(files.get("clusters/a/conf.d/store-1.yaml")?.toString("utf8")).toBe("- cluster_id: store-1\n");
  });

  it("answers 404 for a ref that does not exist", async () => {
    const answer = await fetch(`${h.baseUrl}/repos/${OWNER}/${REPO}/tarball/nope`, { redirect: "manual" });
    expect(answer.status).toBe(404);
  });

  it("reads a 40-file tree with one tree listing and one archive, not a request per blob", async () => {
    const files = manyFiles(40);
    const sha = h.sim.seedTree(files);
    const port = new OctokitPort(h.octokit as unknown as OctokitLike, OWNER, REPO, "handover[bot]");
    const before = h.sim.requests.length;
    expect(await port.readTree(sha)).toEqual(files);
    const made = h.sim.requests.slice(before).map((r) => `${r.method} ${r.path}`);
    expect(made).toEqual([
      `GET /repos/${OWNER}/${REPO}/git/trees/${sha}`,
      `GET /repos/${OWNER}/${REPO}/tarball/${sha}`,
    ]);
  });

  it("four unknown files already come in one archive; three are read blob by blob", async () => {
    const port = new OctokitPort(h.octokit as unknown as OctokitLike, OWNER, REPO, "handover[bot]");
    // Contents no other test of this file uses: blobs are cached by sha for the whole process.
    const four = new Map([...manyFiles(3)].map(([path, text]) => [path, `${text}# four\n`]));
    const fourSha = h.sim.seedTree(four);
    const before = h.sim.requests.length;
    expect(await port.readTree(fourSha)).toEqual(four);
    expect(h.sim.requests.slice(before).map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /repos/${OWNER}/${REPO}/git/trees/${fourSha}`,
      `GET /repos/${OWNER}/${REPO}/tarball/${fourSha}`,
    ]);
    // Three files changed on top: only those three are unknown.
    const three = new Map([...four].map(([path, text]) => [path, `${text}# changed\n`]));
    const threeSha = h.sim.seedTree(new Map([...three].slice(0, 3).concat([...four].slice(3))));
    const after = h.sim.requests.length;
    await port.readTree(threeSha);
    expect(h.sim.requests.slice(after).map((r) => `${r.method} ${r.path.replace(/[0-9a-f]{40}$/, "SHA")}`)).toEqual([
      `GET /repos/${OWNER}/${REPO}/git/trees/SHA`,
      `GET /repos/${OWNER}/${REPO}/git/blobs/SHA`,
      `GET /repos/${OWNER}/${REPO}/git/blobs/SHA`,
      `GET /repos/${OWNER}/${REPO}/git/blobs/SHA`,
    ]);
  });

  it("refuses bytes that are not a gzip archive with an error, not a crash", async () => {
    await expect(readArchive(new TextEncoder().encode("not an archive"))).rejects.toThrow(/header/);
  });
});
