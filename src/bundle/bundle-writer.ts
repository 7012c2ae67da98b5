/**
 * The bundle writer: a Bundle to a deterministic `.tar.gz`, laid out as `opa build -t wasm` lays it out.
 *
 * Entries are named with a leading `/` (`/data.json`, `/policy.wasm`, `/.manifest`), written in OPA's order
 * (data, rego sources, wasm, signatures, manifest) with mode 0600 and mtime 0, and gzip's header carries no
 * time, so the same bundle always gives the same bytes.
 */

import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import * as path from "node:path";
import { gzipSync } from "node:zlib";
import * as tar from "tar-stream";
import type { Bundle, JsonValue } from "./bundle";
import { BundleError, describeIoError } from "./bundle-error";
import { goOrderedJson } from "../json/go-ordered-json";
import { encodeManifest } from "./manifest";

const EPOCH = new Date(0);

/** One archive entry. */
interface Entry {
  readonly name: string;
  readonly body: Buffer;
}

/**
 * The files a bundle is written as, without `/.signatures.json`, in archive order: what a signature covers.
 * Names are bundle-absolute (`/data.json`).
 */
export function signedEntriesOf(bundle: Bundle): { readonly name: string; readonly body: Buffer }[] {
  const { signatures: _ignored, ...unsigned } = bundle;
  return entriesOf(unsigned);
}

function entriesOf(bundle: Bundle): Entry[] {
  const byPath = <T extends { path: string }>(xs: readonly T[]): T[] =>
    [...xs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const abs = (p: string): string => "/" + p.replace(/^\.?\/+/, "");
  const entries: Entry[] = [{ name: "/data.json", body: Buffer.from(goOrderedJson(bundle.data) + "\n") }];
  for (const f of byPath(bundle.regoFiles)) entries.push({ name: abs(f.path), body: Buffer.from(f.text, "utf8") });
  for (const m of byPath(bundle.wasmModules)) entries.push({ name: abs(m.path), body: Buffer.from(m.wasm) });
  if (bundle.signatures !== undefined) {
    entries.push({
      name: "/.signatures.json",
      body: Buffer.from(JSON.stringify(bundle.signatures as JsonValue, null, " ")),
    });
  }
  entries.push({ name: "/.manifest", body: Buffer.from(encodeManifest(bundle.manifest)) });
  return entries;
}

/** Serialises a bundle to gzipped tar bytes; byte-identical for equal bundles. */
export async function encodeBundle(bundle: Bundle): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on("data", (c) => chunks.push(c as Buffer));
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  for (const e of entriesOf(bundle)) {
    await new Promise<void>((resolve, reject) => {
      pack.entry({ name: e.name, size: e.body.length, mode: 0o600, mtime: EPOCH, uid: 0, gid: 0, type: "file" }, e.body, (err) =>
        err ? reject(err) : resolve(),
      );
    });
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks), { level: 9 });
}

/**
 * Writes a bundle to `file` atomically: the bytes go to a temporary file in the same directory, which is
 * renamed over `file` only once complete, so a failure never leaves a partial bundle. Creates the directory.
 */
export async function writeBundleFile(file: string, bundle: Bundle): Promise<void> {
  const bytes = await encodeBundle(bundle);
  await writeFileAtomic(file, bytes);
}

/** Writes bytes to a path through a temporary sibling and a rename. */
export async function writeFileAtomic(file: string, bytes: Uint8Array): Promise<void> {
  const dir = path.dirname(path.resolve(file));
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await fs.mkdir(dir, { recursive: true });
    const handle = await fs.open(tmp, "wx", 0o644);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new BundleError("COUNTERSIGN_BUNDLE_IO", `cannot write ${file}: ${describeIoError(err)}`, file);
  }
}
