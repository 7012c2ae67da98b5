/**
 * Test fixtures for the wasm linker: small AssemblyScript runtimes compiled with the installed `asc`, and a
 * typed handle on the host's WebAssembly API with OPA-style imports.
 *
 * Compiled fixtures are cached in the system temp directory by a hash of source and flags, so only the first
 * run pays for the compiler.
 */

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ASC = path.join(__dirname, "..", "..", "..", "node_modules", "assemblyscript", "bin", "asc.js");
const CACHE = path.join(os.tmpdir(), "countersign-asc-cache");

/** Compiles an AssemblyScript source to wasm bytes with the given asc flags. */
export function compileAssemblyScript(source: string, flags: readonly string[]): Uint8Array {
  const ascVersion = (
    JSON.parse(fs.readFileSync(path.join(ASC, "..", "..", "package.json"), "utf8")) as {
      version: string;
    }
  ).version;
  const key = createHash("sha256")
    .update([ascVersion, source, ...flags].join("\0"))
    .digest("hex");
  const cached = path.join(CACHE, `${key}.wasm`);
  if (fs.existsSync(cached)) return new Uint8Array(fs.readFileSync(cached));

  fs.mkdirSync(CACHE, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "countersign-asc-"));
  try {
    fs.writeFileSync(path.join(dir, "fixture.ts"), source);
    execFileSync(process.execPath, [ASC, "fixture.ts", "-o", "fixture.wasm", ...flags], { cwd: dir, stdio: "pipe" });
    const bytes = fs.readFileSync(path.join(dir, "fixture.wasm"));
    const partial = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(partial, bytes);
    fs.renameSync(partial, cached);
    return new Uint8Array(bytes);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Flags for a runtime like the real one: imported memory, minimal GC-free runtime. */
export const RUNTIME_FLAGS = ["--importMemory", "--runtime", "stub"] as const;

/**
 * A miniature runtime in the shape of Countersign's: OPA ABI exports, internal `cs_*` exports, policy hook
 * placeholders called by `eval`, `builtins` and `entrypoints`, and generic placeholders (`cs_test*`) tests
 * point at generated functions. "Values" are plain integers: cs_null is 100, false 101, true 102.
 */
export const MINI_RUNTIME = `
@external("env", "opa_abort") declare function opa_abort(addr: i32): void;
@external("env", "opa_builtin1") declare function opa_builtin1(id: i32, ctx: i32, a: i32): i32;

export const opa_wasm_abi_version: i32 = 1;
export const opa_wasm_abi_minor_version: i32 = 3;

let heapPtr: i32 = 65536;
let evalCalls: i32 = 0;

export function opa_malloc(size: i32): i32 { const p = heapPtr; heapPtr += size; return p; }
export function opa_heap_ptr_get(): i32 { return heapPtr; }
export function opa_heap_ptr_set(p: i32): void { heapPtr = p; }

export function cs_null(): i32 { return 100; }
export function cs_boolean(b: i32): i32 { return b != 0 ? 102 : 101; }
export function cs_number_f64(x: f64): i32 { return <i32>(x * 10.0); }
export function cs_equal(a: i32, b: i32): i32 { return a == b ? 1 : 0; }
export function cs_raise(ptr: i32, len: i32): void { opa_abort(ptr + len); }
export function cs_host_builtin(id: i32, a: i32): i32 { return opa_builtin1(id, 0, a); }
export function cs_eval_calls(): i32 { return evalCalls; }
export function cs_bi_count(a: i32): i32 { return a + 1; }

export function cs_policy_init(): void {}
export function cs_policy_eval(ctx: i32, input: i32, data: i32): i32 { return 0; }
export function cs_policy_builtins(): i32 { return -3; }
export function cs_policy_entrypoints(): i32 { return -2; }

function evalImpl(ctx: i32): i32 { evalCalls++; return cs_policy_eval(ctx, ctx + 1, ctx + 2); }
export { evalImpl as eval };
export function builtins(): i32 { return cs_policy_builtins(); }
export function entrypoints(): i32 { return cs_policy_entrypoints(); }

export function cs_test0(): i32 { return -1; }
export function cs_test1(a: i32): i32 { return -1; }
export function cs_test2(a: i32, b: i32): i32 { return -1; }
export function cs_test_f64(x: f64): f64 { return -1; }
export function cs_test_void(): void {}
`;

/**
 * The mini runtime after a contract change nobody told the compiler about: cs_null takes an argument,
 * cs_policy_eval lost one, and a builtin takes a raw f64 instead of a value.
 */
export const DRIFTED_RUNTIME = `
export function cs_null(x: i32): i32 { return 100 + x; }
export function cs_boolean(b: i32): i32 { return b != 0 ? 102 : 101; }
export function cs_policy_eval(ctx: i32, input: i32): i32 { return 0; }
export function cs_bi_strings__any(x: f64): i32 { return <i32>x; }
function evalImpl(ctx: i32): i32 { return cs_policy_eval(ctx, ctx); }
export { evalImpl as eval };
`;

/** The slice of the WebAssembly JS API the tests use (the project compiles without DOM typings). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: {
    new (bytes: Uint8Array): object;
    exports(module: object): Array<{ name: string; kind: string }>;
    customSections(module: object, name: string): ArrayBuffer[];
  };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
}

/** The host's WebAssembly API. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** An instantiated module with the calls it made to its host. */
export interface Instantiated {
  readonly exports: Record<string, unknown>;
  readonly memory: { buffer: ArrayBuffer };
  /** Arguments of each opa_abort call. */
  readonly aborts: number[];
  /** Arguments of each opa_builtinN call. */
  readonly builtinCalls: number[][];
}

/** Instantiates a module with OPA's host imports; builtins answer the sum of their operands. */
export function instantiate(bytes: Uint8Array): Instantiated {
  const memory = new wasm.Memory({ initial: 4 });
  const aborts: number[] = [];
  const builtinCalls: number[][] = [];
  const builtin = (...args: number[]): number => {
    builtinCalls.push(args);
    return args.slice(2).reduce((a, b) => a + b, 0);
  };
  const env = {
    memory,
    opa_abort: (addr: number) => {
      aborts.push(addr);
      throw new Error(`opa_abort(${addr})`);
    },
    opa_println: () => undefined,
    opa_builtin0: builtin,
    opa_builtin1: builtin,
    opa_builtin2: builtin,
    opa_builtin3: builtin,
    opa_builtin4: builtin,
  };
  const instance = new wasm.Instance(new wasm.Module(bytes), { env });
  return { exports: instance.exports, memory, aborts, builtinCalls };
}

/** An exported function of an instance, typed for calling. */
export function fn(instance: Instantiated, name: string): (...args: number[]) => number {
  const f = instance.exports[name];
  if (typeof f !== "function") throw new Error(`no exported function "${name}"`);
  return f as (...args: number[]) => number;
}

/** A module assembled from (section id, payload) pairs, for hand-made runtimes. */
export function moduleBytes(sections: ReadonlyArray<readonly [number, readonly number[]]>): Uint8Array {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const [id, payload] of sections) out.push(id, ...uleb(payload.length), ...payload);
  return Uint8Array.from(out);
}

/** A vector: its length as a LEB128 u32, then the items' bytes. */
export function vec(items: ReadonlyArray<readonly number[]>): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A name: its UTF-8 length, then the bytes. */
export function str(text: string): number[] {
  const bytes = [...Buffer.from(text, "utf8")];
  return [...uleb(bytes.length), ...bytes];
}

/** The unsigned LEB128 bytes of a small non-negative integer. */
export function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    const b = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? b : b | 0x80);
  } while (v !== 0);
  return out;
}
