/**
 * A compiled policy ready to evaluate: a typed wrapper over the OPA SDK's `loadPolicy` that supplies the
 * host builtins, sizes memory to what the module imports, and turns the SDK's thrown strings into
 * PolicyEvalError values.
 *
 * After an evaluation throws, the wasm instance may hold half-updated state (a trap or abort unwinds
 * through the runtime without cleanup), so the next evaluation runs in a fresh instance of the same
 * compiled module, with the same data.
 */

import { loadPolicySync, type LoadedPolicy } from "@open-policy-agent/opa-wasm";
import type { Clock } from "./clock";
import { createHostBuiltins, type HostBuiltinFn, type HostBuiltins } from "./host-builtins";
import { importedMemoryLimits } from "./memory-import";
import { HostBuiltinError, PolicyError, PolicyEvalError, toPolicyEvalError } from "./policy-error";

/** JSON text handed to the module untouched; use it to keep integers beyond 2^53 exact. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** One solution per element: `{"result": value}` for an entrypoint, variable bindings for a query. */
export type ResultSet = readonly Readonly<Record<string, unknown>>[];

/** How to load a policy. */
export interface LoadOptions {
  /** The clock behind `time.now_ns`. */
  readonly clock?: Clock;
  /** Must match how the module was compiled: host builtin errors are raised instead of being undefined. */
  readonly strictBuiltinErrors?: boolean;
  /**
   * More host builtins by name (custom built-ins declared in a capabilities file); they win over the
   * built-in fallbacks of the same name. Each takes JSON operands and returns a JSON result; an error it
   * throws makes the call undefined, or is raised as an eval_builtin_error under strict builtin errors.
   */
  readonly builtins?: Readonly<Record<string, HostBuiltinFn>>;
}

/** A loaded policy. */
export interface CompiledPolicy {
  /** Entrypoint names the module exports (`pkg/rule`, query names). */
  readonly entrypoints: readonly string[];
  /**
   * Evaluates an entrypoint (`pkg/rule`, `data.pkg.rule` or a query name) against an input. Throws
   * PolicyEvalError when evaluation fails and PolicyError for an unknown entrypoint or unusable input.
   */
  evaluate(entrypoint: string, input?: unknown): ResultSet;
  /** Replaces the base document. */
  setData(data: unknown): void;
  /**
   * Bytes of wasm heap the last evaluation used: from the end of the data to the heap pointer after it
   * (`opa_eval` starts every evaluation there again), the input, its parse, the evaluation and the result
   * text included. Undefined before the first evaluation or where the module does not tell (`countersign bench`).
   */
  lastHeapBytes(): number | undefined;
}

const SDK_DEFAULT_PAGES = 5;

/**
 * Builtins the opa-wasm SDK (1.10) implements itself; they take precedence over host builtins of the same name,
 * except those the compiler routes to the host under another name (hostDispatchName in the builtin catalogue).
 */
export const SDK_BUILTIN_NAMES: readonly string[] = [
  "json.is_valid",
  "sprintf",
  "regex.split",
  "yaml.is_valid",
  "yaml.marshal",
  "yaml.unmarshal",
];

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PAGE_BYTES = 64 * 1024;

function toJsonText(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = value instanceof RawJson ? value.text : JSON.stringify(value);
  } catch (err) {
    throw new PolicyError("COUNTERSIGN_POLICY_BAD_DOCUMENT", `${what} is not JSON-serialisable: ${(err as Error).message}`);
  }
  if (text === undefined) throw new PolicyError("COUNTERSIGN_POLICY_BAD_DOCUMENT", `${what} is not a JSON value`);
  return text;
}

/**
 * A value as the JSON text `evaluate` would hand to the module (kept as RawJson, so several evaluations of the
 * same value serialise it once). Throws PolicyError (COUNTERSIGN_POLICY_BAD_DOCUMENT) as `evaluate` would.
 */
export function toRawJson(value: unknown, what: string): RawJson {
  return value instanceof RawJson ? value : new RawJson(toJsonText(value, what));
}

function toJsonBuffer(value: unknown, what: string): ArrayBuffer {
  const encoded = encoder.encode(toJsonText(value, what));
  if (encoded.buffer instanceof ArrayBuffer && encoded.byteOffset === 0 && encoded.byteLength === encoded.buffer.byteLength) {
    return encoded.buffer;
  }
  // Copied into a buffer of this realm: the SDK tests `instanceof ArrayBuffer`.
  const bytes = new Uint8Array(encoded.length);
  bytes.set(encoded);
  return bytes.buffer;
}

/** The parts of the SDK's LoadedPolicy that the ABI 1.2 fast path reads (public fields of the SDK's class). */
interface SdkInstanceFields {
  readonly minorVersion?: number;
  readonly mem?: WebAssembly.Memory;
  readonly dataAddr?: number;
  readonly dataHeapPtr?: number;
  readonly wasmInstance?: WebAssembly.Instance;
}

/**
 * Evaluates through the module's `opa_eval` export directly (ABI 1.2): the input JSON is encoded straight
 * into wasm memory at the heap pointer the SDK keeps after the data, and the result is read back with a
 * native NUL scan, with no intermediate buffers. Returns undefined when the instance does not offer the
 * fast path (ABI < 1.2, or an SDK without these fields), so the caller falls back to the SDK's evaluate.
 */
function evaluateFast(policy: LoadedPolicy, entrypoint: number, inputText: string | undefined): unknown {
  const sdk = policy as unknown as SdkInstanceFields;
  const exports = sdk.wasmInstance?.exports as { opa_eval?: (...args: number[]) => number } | undefined;
  const mem = sdk.mem;
  if ((sdk.minorVersion ?? 0) < 2 || exports?.opa_eval === undefined || mem === undefined) return undefined;
  if (typeof sdk.dataAddr !== "number" || typeof sdk.dataHeapPtr !== "number") return undefined;
  const base = sdk.dataHeapPtr;
  let length = 0;
  if (inputText !== undefined) {
    const room = inputText.length * 3;
    const missing = base + room - mem.buffer.byteLength;
    if (missing > 0) mem.grow(Math.ceil(missing / PAGE_BYTES));
    length = encoder.encodeInto(inputText, new Uint8Array(mem.buffer, base, room)).written;
  }
  const out = exports.opa_eval(0, entrypoint, sdk.dataAddr, inputText === undefined ? 0 : base, length, base + length, 0);
  const bytes = new Uint8Array(mem.buffer);
  const end = bytes.indexOf(0, out);
  return JSON.parse(decoder.decode(bytes.subarray(out, end < 0 ? bytes.length : end)));
}

function describe(thrown: unknown): string {
  if (typeof thrown === "string") return thrown;
  if (typeof thrown === "object" && thrown !== null && typeof (thrown as Error).message === "string") {
    return (thrown as Error).message;
  }
  return String(thrown);
}

/** Loads a compiled module with its base document. Throws PolicyError (COUNTERSIGN_POLICY_LOAD_FAILED). */
export async function loadCompiledPolicy(wasm: Uint8Array, data?: unknown, opts: LoadOptions = {}): Promise<CompiledPolicy> {
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new PolicyError("COUNTERSIGN_POLICY_LOAD_FAILED", `not a valid wasm module: ${describe(err)}`);
  }
  const limits = importedMemoryLimits(wasm);
  const memory: WebAssembly.MemoryDescriptor =
    limits === null
      ? { initial: SDK_DEFAULT_PAGES }
      : limits.maximum === undefined
        ? { initial: Math.max(limits.initial, SDK_DEFAULT_PAGES) }
        : { initial: Math.min(Math.max(limits.initial, SDK_DEFAULT_PAGES), limits.maximum), maximum: limits.maximum };

  const host: HostBuiltins = createHostBuiltins({
    ...(opts.clock === undefined ? {} : { clock: opts.clock }),
    ...(opts.strictBuiltinErrors === undefined ? {} : { strictBuiltinErrors: opts.strictBuiltinErrors }),
  });
  const builtins: Record<string, HostBuiltinFn> = {
    ...host.functions,
    ...customBuiltins(opts.builtins ?? {}, opts.strictBuiltinErrors === true),
  };

  let dataBuffer: ArrayBuffer | undefined = data === undefined ? undefined : toJsonBuffer(data, "data");

  const instantiate = (): LoadedPolicy => {
    let loaded: LoadedPolicy;
    try {
      loaded = loadPolicySync(module, { ...memory }, builtins);
    } catch (err) {
      throw new PolicyError("COUNTERSIGN_POLICY_LOAD_FAILED", `cannot instantiate the policy: ${describe(err)}`);
    }
    if (dataBuffer !== undefined) setSdkData(loaded, dataBuffer);
    return loaded;
  };

  let instance = instantiate();
  checkBuiltinsImplemented(instance, builtins);
  let stale = false;
  const ids = instance.entrypoints as Record<string, number>;
  const names = Object.keys(ids).sort((a, b) => ids[a]! - ids[b]!);

  const resolve = (entrypoint: string): number => {
    if (Object.prototype.hasOwnProperty.call(ids, entrypoint)) return ids[entrypoint]!;
    const path = entrypoint.startsWith("data.") ? entrypoint.slice(5).split(".").join("/") : entrypoint.replace(/^\/+/, "");
    if (Object.prototype.hasOwnProperty.call(ids, path)) return ids[path]!;
    throw new PolicyError(
      "COUNTERSIGN_POLICY_UNKNOWN_ENTRYPOINT",
      `entrypoint '${entrypoint}' is not in this policy; it has: ${names.join(", ") || "(none)"}`,
    );
  };

  // Whether the heap pointer still marks the end of the last evaluation (a fast-path one, nothing since): the
  // heap used is read only when asked, off the evaluation path.
  let heapMarksLastEvaluation = false;
  const heapUsed = (): number | undefined => {
    const sdk = instance as unknown as SdkInstanceFields;
    const get = (sdk.wasmInstance?.exports as { opa_heap_ptr_get?: () => number } | undefined)?.opa_heap_ptr_get;
    return get === undefined || typeof sdk.dataHeapPtr !== "number" ? undefined : get() - sdk.dataHeapPtr;
  };

  return {
    entrypoints: names,
    lastHeapBytes: () => (heapMarksLastEvaluation ? heapUsed() : undefined),
    evaluate(entrypoint: string, input?: unknown): ResultSet {
      const id = resolve(entrypoint);
      const inputText = input === undefined ? undefined : toJsonText(input, "input");
      if (stale) {
        instance = instantiate();
        stale = false;
      }
      host.beginEvaluation();
      heapMarksLastEvaluation = false;
      let result: unknown;
      try {
        result = evaluateFast(instance, id, inputText);
        heapMarksLastEvaluation = result !== undefined;
        if (result === undefined)
          result = instance.evaluate(inputText === undefined ? undefined : toJsonBuffer(new RawJson(inputText), "input"), id);
      } catch (err) {
        stale = true;
        throw toPolicyEvalError(err);
      }
      if (!Array.isArray(result)) {
        throw new PolicyEvalError("eval_internal_error", `the policy returned ${JSON.stringify(result)}, not a result set`);
      }
      return result as ResultSet;
    },
    setData(next: unknown): void {
      heapMarksLastEvaluation = false;
      dataBuffer = toJsonBuffer(next, "data");
      if (stale) {
        instance = instantiate();
        stale = false;
      } else {
        setSdkData(instance, dataBuffer);
      }
    },
  };
}

/** The caller's builtins, with their errors treated as any builtin's. */
function customBuiltins(fns: Readonly<Record<string, HostBuiltinFn>>, strict: boolean): Record<string, HostBuiltinFn> {
  const out: Record<string, HostBuiltinFn> = {};
  for (const [name, fn] of Object.entries(fns)) {
    out[name] = (...operands) => {
      try {
        return fn(...operands);
      } catch (err) {
        if (!strict) return undefined;
        throw err instanceof HostBuiltinError ? err : new HostBuiltinError("eval_builtin_error", name, describe(err));
      }
    };
  }
  return out;
}

/** The parts of a module instance that list the builtins it calls through the host. */
interface BuiltinTableExports {
  builtins?: () => number;
  opa_json_dump?: (addr: number) => number;
  opa_heap_ptr_get?: () => number;
  opa_heap_ptr_set?: (addr: number) => void;
}

/** The names in a module's builtin table (the builtins it calls through `opa_builtinN`). */
export function moduleBuiltinNames(policy: LoadedPolicy): string[] {
  const sdk = policy as unknown as SdkInstanceFields;
  const exports = sdk.wasmInstance?.exports as BuiltinTableExports | undefined;
  const mem = sdk.mem;
  if (exports?.builtins === undefined || exports.opa_json_dump === undefined || mem === undefined) return [];
  // Reading the table allocates; the heap is put back so the SDK's own bookkeeping stays true.
  const heap = exports.opa_heap_ptr_get?.();
  try {
    const out = exports.opa_json_dump(exports.builtins());
    const bytes = new Uint8Array(mem.buffer);
    const end = bytes.indexOf(0, out);
    return Object.keys(JSON.parse(decoder.decode(bytes.subarray(out, end < 0 ? bytes.length : end))) as object);
  } finally {
    if (heap !== undefined) exports.opa_heap_ptr_set?.(heap);
  }
}

/**
 * Fails the load when the module calls a builtin nothing implements: not the SDK, not the host builtins,
 * not the caller's custom ones. Such a policy would otherwise fail every decision that reaches the call.
 */
function checkBuiltinsImplemented(policy: LoadedPolicy, builtins: Readonly<Record<string, HostBuiltinFn>>): void {
  const sdk = new Set(SDK_BUILTIN_NAMES);
  const missing = moduleBuiltinNames(policy).filter((name) => !sdk.has(name) && typeof builtins[name] !== "function");
  if (missing.length === 0) return;
  throw new PolicyError(
    "COUNTERSIGN_POLICY_BUILTIN_MISSING",
    `the policy calls built-in function${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, which nothing implements: ` +
      "supply an implementation for each custom built-in (LoadOptions.builtins, or --builtins FILE on the command line)",
  );
}

function setSdkData(policy: LoadedPolicy, data: ArrayBuffer): void {
  try {
    policy.setData(data);
  } catch (err) {
    throw new PolicyError("COUNTERSIGN_POLICY_BAD_DOCUMENT", `the policy rejected its data: ${describe(err)}`);
  }
}
