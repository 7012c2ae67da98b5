/**
 * Which parts of `input` a bundle's Rego can read, found in its sources: every reference rooted at `input`
 * (`input.action.params.query`, `input.resource[k]`), `input` used whole, and `import input.…`, each with
 * the rule it appears in. Replay uses it to tell whether a masked value could matter to the candidate.
 *
 * Conservative by construction: a reference's path is taken up to its end, a variable or computed key
 * matching any key; a reference that stops short of a masked value (`input.action`, `input`) counts as
 * reading it, since the value may be passed on whole (aliases, `walk`, `json.marshal`); a reference into it
 * counts too. What it cannot see is Rego that is not in the bundle (a bundle without its `.rego` sources):
 * then nothing can be said, and callers must assume every masked value is read.
 */

import type { Bundle } from "../bundle/bundle";
import { regoVersionForFile } from "../bundle/rego-versions";
import { Diagnostics } from "../compiler/diagnostics";
import { parseModule } from "../compiler/parser";

/** A path segment: a key, or null for a key computed at run time (matches any key). */
export type ReadSegment = string | null;

/** One place a bundle reads input. */
export interface InputRead {
  /** `package.rule` (`countersign.decision`), or `package (import)`. */
  readonly rule: string;
  readonly file: string;
  readonly line: number;
  /** The path below `input` (empty: `input` whole). */
  readonly path: readonly ReadSegment[];
}

/** What a bundle's sources read, or why they cannot be analysed. */
export type InputReads = { readonly ok: true; readonly reads: readonly InputRead[] } | { readonly ok: false; readonly why: string };

/** The input reads of every `.rego` file the bundle carries (tests included: harmless, they are never entrypoints). */
export function inputReadsOf(bundle: Bundle): InputReads {
  if (bundle.regoFiles.length === 0) return { ok: false, why: "the bundle carries no .rego sources" };
  const reads: InputRead[] = [];
  const rules = {
    ...(bundle.manifest.rego_version === undefined ? {} : { regoVersion: bundle.manifest.rego_version }),
    ...(bundle.manifest.file_rego_versions === undefined ? {} : { fileRegoVersions: bundle.manifest.file_rego_versions }),
  };
  for (const f of bundle.regoFiles) {
    const diags = new Diagnostics();
    const module = parseModule(f.path, f.text, diags, { regoVersion: regoVersionForFile(f.path, rules, 1) });
    if (module === null) return { ok: false, why: `${f.path} does not parse` };
    const pkg = module.package.join(".");
    for (const imp of module.imports) collect(imp.path, `${pkg} (import)`, f.path, reads);
    for (const rule of module.rules) {
      const name = [pkg, ...rule.head.ref.map((t) => (t.kind === "string" ? t.value : "[…]"))].join(".");
      collect(rule, name, f.path, reads);
    }
  }
  return { ok: true, reads };
}

/** Segments of an RFC 6901 pointer (`/action/params/query`). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Whether a read may see the value at `pointer` (segments below `input`). */
export function mayRead(read: InputRead, pointer: readonly string[]): boolean {
  const n = Math.min(read.path.length, pointer.length);
  for (let i = 0; i < n; i++) {
    const s = read.path[i];
    if (s !== null && s !== pointer[i]) return false;
  }
  return true;
}

/** Walks any AST value, recording input references; nested references inside a path are walked too. */
function collect(node: unknown, rule: string, file: string, out: InputRead[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collect(n, rule, file, out);
    return;
  }
  if (node === null || typeof node !== "object") return;
  const n = node as { kind?: unknown; head?: { kind?: unknown; name?: unknown }; path?: unknown; name?: unknown; loc?: { line?: number } };
  if (n.kind === "ref" && n.head?.kind === "var" && n.head.name === "input" && Array.isArray(n.path)) {
    const path: ReadSegment[] = [];
    for (const t of n.path as { kind: string; value?: unknown; text?: unknown }[]) {
      if (t.kind === "string") path.push(String(t.value));
      else if (t.kind === "number") path.push(String(t.text));
      else path.push(null);
    }
    out.push({ rule, file, line: n.loc?.line ?? 0, path });
    collect(n.path, rule, file, out);
    return;
  }
  if (n.kind === "var" && n.name === "input") {
    out.push({ rule, file, line: n.loc?.line ?? 0, path: [] });
    return;
  }
  for (const [k, v] of Object.entries(node)) if (k !== "loc") collect(v, rule, file, out);
}
