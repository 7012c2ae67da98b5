/**
 * Instantiates build/runtime.wasm directly (no SDK) with its own memory and env imports, and wraps the
 * exports in helpers that move text and values across the boundary.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Path of the runtime module that `npm run build:runtime` produces. */
export const RUNTIME_PATH = join(__dirname, "../../build/runtime.wasm");

let cachedModule: WebAssembly.Module | undefined;

/** The compiled runtime module (compiled once per test file). */
export function runtimeModule(): WebAssembly.Module {
  cachedModule ??= new WebAssembly.Module(readFileSync(RUNTIME_PATH));
  return cachedModule;
}

/** The runtime's exports, loosely typed: every export takes and returns numbers. */
export type Exports = Record<string, (...args: number[]) => number> & {
  readonly opa_wasm_abi_version: WebAssembly.Global;
  readonly opa_wasm_abi_minor_version: WebAssembly.Global;
};

/** A host builtin call the runtime made through opa_builtinN. */
export interface HostCall {
  readonly arity: number;
  readonly id: number;
  readonly args: number[];
}

/** An instantiated runtime and helpers over its memory. */
export class Runtime {
  readonly memory: WebAssembly.Memory;
  readonly exports: Exports;
  readonly printed: string[] = [];
  readonly hostCalls: HostCall[] = [];

  constructor(options: { pages?: number; module?: WebAssembly.Module } = {}) {
    this.memory = new WebAssembly.Memory({ initial: options.pages ?? 5 });
    const host =
      (arity: number) =>
      (id: number, _ctx: number, ...args: number[]) => {
        this.hostCalls.push({ arity, id, args });
        return 0;
      };
    const instance = new WebAssembly.Instance(options.module ?? runtimeModule(), {
      env: {
        memory: this.memory,
        opa_abort: (ptr: number) => {
          throw new RuntimeAbort(this.cString(ptr));
        },
        opa_println: (ptr: number) => {
          this.printed.push(this.cString(ptr));
        },
        opa_builtin0: host(0),
        opa_builtin1: host(1),
        opa_builtin2: host(2),
        opa_builtin3: host(3),
        opa_builtin4: host(4),
      },
    });
    this.exports = instance.exports as unknown as Exports;
  }

  /** The bytes of linear memory (a fresh view: memory may have grown). */
  bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  /** Copies bytes (or the UTF-8 of a string) into memory from opa_malloc; returns [ptr, len]. */
  put(data: string | Uint8Array): [number, number] {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    const ptr = this.exports.opa_malloc(bytes.length);
    this.bytes().set(bytes, ptr);
    return [ptr, bytes.length];
  }

  /** The NUL-terminated UTF-8 text at `ptr`. */
  cString(ptr: number): string {
    const bytes = this.bytes();
    let end = ptr;
    while (bytes[end] !== 0) end++;
    return new TextDecoder().decode(bytes.subarray(ptr, end));
  }

  /** The value of JSON text (or of a JS value, stringified); fails the test when the runtime rejects it. */
  json(value: unknown): number {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const v = this.exports.opa_json_parse(...this.put(text));
    if (v === 0) throw new Error(`runtime rejected JSON: ${text}`);
    return v;
  }

  /** The value of Rego value text (JSON plus sets); fails the test when the runtime rejects it. */
  rego(text: string): number {
    const v = this.exports.opa_value_parse(...this.put(text));
    if (v === 0) throw new Error(`runtime rejected value text: ${text}`);
    return v;
  }

  /** A string value (its bytes copied into memory first). */
  str(s: string): number {
    return this.exports.cs_string(...this.put(s));
  }

  /** A number value. */
  num(n: number): number {
    return this.exports.cs_number_f64(n);
  }

  /** The JSON text the runtime writes for a value. */
  jsonText(v: number): string {
    return this.cString(this.exports.opa_json_dump(v));
  }

  /** The value as JS data, through the runtime's JSON dump. */
  js(v: number): unknown {
    return JSON.parse(this.jsonText(v));
  }

  /** The Rego value text the runtime writes for a value. */
  regoText(v: number): string {
    return this.cString(this.exports.opa_value_dump(v));
  }
}

/** What opa_abort throws in the harness: the runtime's message. */
export class RuntimeAbort extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeAbort";
  }
}
