/**
 * The emitter: turns a Plan (IR) into wasm functions and globals for the linker.
 *
 * IR blocks become wasm `block`s with the same labels, so "a failing statement exits the innermost block"
 * is a `br_if` to that block's label; scans become counted loops over the runtime's iteration calls.
 * Constant values and message strings are built once by the start hook and kept in globals, so the hot
 * path only reads a global.
 */

import type { Block, Constant, Func, Operand, Plan, Stmt } from "../ir";
import type { GeneratedFunction, GeneratedGlobal, Instr, LinkRequest } from "./instructions";
import { builtinExportName, hostBuiltinImport } from "./runtime-contract";
import { haltsOnError, hostDispatchName, keysSetOperandsByElement, overlaysFirstOperand, returnsSet } from "../builtin-catalog";

const I32 = "i32" as const;

/** Everything the linker needs from one plan, except the runtime's bytes. */
export type EmittedModule = Omit<LinkRequest, "runtime">;

/** Emits a plan as generated functions, globals and hook bindings. */
export function emit(plan: Plan): EmittedModule {
  const e = new Emitter(plan);
  return e.run();
}

class Emitter {
  private readonly functions: GeneratedFunction[] = [];
  private readonly globals: GeneratedGlobal[] = [];
  private readonly rawStrings = new Map<string, { global: string; len: number }>();
  private readonly initBody: Instr[] = [];
  private initLocals = 1;

  constructor(private readonly plan: Plan) {}

  run(): EmittedModule {
    // Constants first: their ids are in dependency order (children before parents).
    this.plan.constants.forEach((c, id) => this.emitConstant(c, id));
    for (const f of this.plan.functions) this.functions.push(this.emitFunction(f));

    const builtinsObj = this.objectGlobal(
      "builtins",
      this.plan.hostBuiltins.map((name, id) => [hostDispatchName(name), id] as const),
    );
    const entrypointsObj = this.objectGlobal(
      "entrypoints",
      this.plan.entrypoints.map((ep, id) => [ep.name, id] as const),
    );
    this.functions.push(this.evalDispatch());
    this.functions.push({ name: "policy:builtins", params: [], result: I32, locals: [], body: [{ op: "global.get", name: builtinsObj }] });
    this.functions.push({
      name: "policy:entrypoints",
      params: [],
      result: I32,
      locals: [],
      body: [{ op: "global.get", name: entrypointsObj }],
    });
    this.functions.push({
      name: "policy:init",
      params: [],
      result: null,
      locals: Array.from({ length: this.initLocals }, () => I32),
      body: this.initBody,
    });
    return {
      functions: this.functions,
      globals: this.globals,
      hooks: {
        cs_policy_init: "policy:init",
        cs_policy_eval: "policy:eval",
        cs_policy_builtins: "policy:builtins",
        cs_policy_entrypoints: "policy:entrypoints",
      },
    };
  }

  // ---- start-time values ----------------------------------------------------------------------

  private addGlobal(name: string): string {
    this.globals.push({ name, type: I32 });
    return name;
  }

  /** Emits init code writing UTF-8 bytes to fresh memory; leaves nothing on the stack, sets local 0 to the address. */
  private writeBytes(bytes: Uint8Array): void {
    const init = this.initBody;
    init.push({ op: "i32.const", value: bytes.length }, { op: "call", func: "opa_malloc" }, { op: "local.set", index: 0 });
    let i = 0;
    for (; i + 8 <= bytes.length; i += 8) {
      let word = 0n;
      for (let j = 7; j >= 0; j--) word = (word << 8n) | BigInt(bytes[i + j]);
      init.push({ op: "local.get", index: 0 }, { op: "i64.const", value: BigInt.asIntN(64, word) }, { op: "i64.store", offset: i });
    }
    for (; i < bytes.length; i++) {
      init.push({ op: "local.get", index: 0 }, { op: "i32.const", value: bytes[i] }, { op: "i32.store8", offset: i });
    }
  }

  /** A global holding the address of raw UTF-8 bytes (for messages passed as ptr, len). */
  private rawString(text: string): { global: string; len: number } {
    const known = this.rawStrings.get(text);
    if (known) return known;
    const bytes = new TextEncoder().encode(text);
    const global = this.addGlobal(`raw${this.rawStrings.size}`);
    this.writeBytes(bytes);
    this.initBody.push({ op: "local.get", index: 0 }, { op: "global.set", name: global });
    const entry = { global, len: bytes.length };
    this.rawStrings.set(text, entry);
    return entry;
  }

  private emitConstant(c: Constant, id: number): void {
    const g = this.addGlobal(`c${id}`);
    const init = this.initBody;
    switch (c.kind) {
      case "null":
        init.push({ op: "call", func: "cs_null" });
        break;
      case "boolean":
        init.push({ op: "i32.const", value: c.value ? 1 : 0 }, { op: "call", func: "cs_boolean" });
        break;
      case "number": {
        const n = Number(c.text);
        // A literal such as 1e30 is an integer too wide for an f64: it is spelt out in digits, kept exact.
        const wideInt = /[.eE]/.test(c.text) && !Number.isSafeInteger(n) ? integerDigits(c.text) : null;
        const exactInt = /^-?\d+$/.test(c.text) && Number.isSafeInteger(n);
        const plainFloat = /[.eE]/.test(c.text) && Number.isFinite(n) && wideInt === null;
        if (exactInt || plainFloat) {
          init.push({ op: "f64.const", value: n }, { op: "call", func: "cs_number_f64" });
        } else {
          const bytes = new TextEncoder().encode(wideInt ?? c.text);
          this.writeBytes(bytes);
          init.push({ op: "local.get", index: 0 }, { op: "i32.const", value: bytes.length }, { op: "call", func: "cs_number_ref" });
        }
        break;
      }
      case "string": {
        const bytes = new TextEncoder().encode(c.value);
        this.writeBytes(bytes);
        init.push({ op: "local.get", index: 0 }, { op: "i32.const", value: bytes.length }, { op: "call", func: "cs_string" });
        break;
      }
      case "array":
        init.push({ op: "i32.const", value: c.items.length }, { op: "call", func: "cs_array" }, { op: "global.set", name: g });
        for (const item of c.items) {
          init.push({ op: "global.get", name: g }, { op: "global.get", name: `c${item}` }, { op: "call", func: "cs_array_append" });
        }
        return;
      case "set":
        init.push({ op: "call", func: "cs_set" }, { op: "global.set", name: g });
        for (const item of c.items) {
          init.push({ op: "global.get", name: g }, { op: "global.get", name: `c${item}` }, { op: "call", func: "cs_set_add" });
        }
        this.settle(g, c.items.length);
        return;
      case "object":
        init.push({ op: "call", func: "cs_object" }, { op: "global.set", name: g });
        for (const [k, v] of c.entries) {
          init.push(
            { op: "global.get", name: g },
            { op: "global.get", name: `c${k}` },
            { op: "global.get", name: `c${v}` },
            { op: "call", func: "cs_object_insert" },
          );
        }
        this.settle(g, c.entries.length);
        return;
    }
    init.push({ op: "global.set", name: g });
  }

  /**
   * Touches a constant collection's iteration order at start, so any lazy ordering the runtime does happens
   * in memory that outlives every evaluation.
   */
  private settle(global: string, size: number): void {
    if (size === 0) return;
    this.initBody.push(
      { op: "global.get", name: global },
      { op: "i32.const", value: 0 },
      { op: "call", func: "cs_iter_key" },
      { op: "drop" },
    );
  }

  private objectGlobal(name: string, entries: readonly (readonly [string, number])[]): string {
    const g = this.addGlobal(`${name}Object`);
    const init = this.initBody;
    init.push({ op: "call", func: "cs_object" }, { op: "global.set", name: g });
    for (const [key, id] of entries) {
      const bytes = new TextEncoder().encode(key);
      this.writeBytes(bytes);
      init.push(
        { op: "global.get", name: g },
        { op: "local.get", index: 0 },
        { op: "i32.const", value: bytes.length },
        { op: "call", func: "cs_string" },
        { op: "f64.const", value: id },
        { op: "call", func: "cs_number_f64" },
        { op: "call", func: "cs_object_insert" },
      );
    }
    this.settle(g, entries.length);
    return g;
  }

  /** policy:eval(entrypoint, input, data): dispatches to the entrypoint's function. */
  private evalDispatch(): GeneratedFunction {
    const body: Instr[] = [];
    this.plan.entrypoints.forEach((ep, id) => {
      body.push({ op: "local.get", index: 0 }, { op: "i32.const", value: id }, { op: "i32.eq" });
      body.push({
        op: "if",
        then: [{ op: "local.get", index: 1 }, { op: "local.get", index: 2 }, { op: "call", func: ep.func }, { op: "return" }],
      });
    });
    const msg = this.rawString("eval_error: unknown entrypoint");
    body.push({ op: "global.get", name: msg.global }, { op: "i32.const", value: msg.len }, { op: "call", func: "cs_raise" });
    body.push({ op: "i32.const", value: 0 });
    return { name: "policy:eval", params: [I32, I32, I32], result: I32, locals: [], body };
  }

  // ---- functions ------------------------------------------------------------------------------

  private emitFunction(f: Func): GeneratedFunction {
    const fe = new FunctionEmitter(this, f);
    const body = fe.block(f.body);
    body.push({ op: "i32.const", value: 0 });
    return {
      name: f.name,
      params: Array.from({ length: f.params }, () => I32),
      result: I32,
      locals: Array.from({ length: fe.localCount - f.params }, () => I32),
      body,
    };
  }

  /** Instructions that abort with a message; they do not return. */
  raise(message: string): Instr[] {
    const s = this.rawString(message);
    return [
      { op: "global.get", name: s.global },
      { op: "i32.const", value: s.len },
      { op: "call", func: "cs_raise" },
      { op: "unreachable" },
    ];
  }

  raiseBuiltin(location: string): Instr[] {
    const s = this.rawString(location);
    return [
      { op: "global.get", name: s.global },
      { op: "i32.const", value: s.len },
      { op: "call", func: "cs_raise_builtin_error" },
      { op: "unreachable" },
    ];
  }

  get strict(): boolean {
    return this.plan.strictBuiltinErrors;
  }

  hostBuiltinId(name: string): number {
    return this.plan.hostBuiltins.indexOf(name);
  }
}

/** Emits one function's body, tracking the innermost block for failures and scratch locals for scans. */
class FunctionEmitter {
  localCount: number;
  private readonly fail: string[] = [];

  constructor(
    private readonly emitter: Emitter,
    f: Func,
  ) {
    this.localCount = f.locals;
  }

  private scratch(): number {
    return this.localCount++;
  }

  /** A wasm block for an IR block, with its statements. */
  block(b: Block): Instr[] {
    this.fail.push(b.label);
    const body = b.stmts.flatMap((s) => this.stmt(s));
    this.fail.pop();
    return [{ op: "block", label: b.label, body }];
  }

  private get failLabel(): string {
    return this.fail[this.fail.length - 1];
  }

  private operand(o: Operand): Instr {
    return o.kind === "local" ? { op: "local.get", index: o.local } : { op: "global.get", name: `c${o.id}` };
  }

  private failIfZero(): Instr[] {
    return [{ op: "i32.eqz" }, { op: "br_if", label: this.failLabel }];
  }

  private stmt(s: Stmt): Instr[] {
    const get = (l: number): Instr => ({ op: "local.get", index: l });
    const set = (l: number): Instr => ({ op: "local.set", index: l });
    const tee = (l: number): Instr => ({ op: "local.tee", index: l });
    const call = (func: string): Instr => ({ op: "call", func });
    switch (s.kind) {
      case "block":
        return this.block(s.block);
      case "break":
        return [{ op: "br", label: s.label }];
      case "scan": {
        const i = this.scratch();
        const n = this.scratch();
        const end = `${s.block.label}_end`;
        const loop = `${s.block.label}_loop`;
        const body: Instr[] = [
          get(i),
          get(n),
          { op: "i32.ge_u" },
          { op: "br_if", label: end },
          ...(s.key !== null ? [get(s.source), get(i), call("cs_iter_key"), set(s.key)] : []),
          get(s.source),
          get(i),
          call("cs_iter_value"),
          set(s.value),
          ...this.block(s.block),
          get(i),
          { op: "i32.const", value: 1 },
          { op: "i32.add" },
          set(i),
          { op: "br", label: loop },
        ];
        return [
          get(s.source),
          call("cs_length"),
          set(n),
          { op: "i32.const", value: 0 },
          set(i),
          { op: "block", label: end, body: [{ op: "loop", label: loop, body }] },
        ];
      }
      case "assign":
        return [this.operand(s.source), set(s.target)];
      case "reset":
        return [{ op: "i32.const", value: 0 }, set(s.target)];
      case "isDefined":
        return [get(s.local), ...this.failIfZero()];
      case "isUndefined":
        return [get(s.local), { op: "br_if", label: this.failLabel }];
      case "notFalse":
        return [this.operand(s.source), call("cs_is_false"), { op: "br_if", label: this.failLabel }];
      case "equal":
        return [this.operand(s.a), this.operand(s.b), call("cs_equal"), ...this.failIfZero()];
      case "notEqual":
        return [this.operand(s.a), this.operand(s.b), call("cs_equal"), { op: "br_if", label: this.failLabel }];
      case "compare": {
        const cmp: Instr[] = [this.operand(s.a), this.operand(s.b), call("cs_compare"), { op: "i32.const", value: 0 }];
        switch (s.op) {
          case "lt":
            return [...cmp, { op: "i32.lt_s" }, ...this.failIfZero()];
          case "lte":
            return [...cmp, { op: "i32.le_s" }, ...this.failIfZero()];
          case "gt":
            return [...cmp, { op: "i32.gt_s" }, ...this.failIfZero()];
          case "gte":
            return [...cmp, { op: "i32.lt_s" }, { op: "br_if", label: this.failLabel }];
        }
        break;
      }
      case "isType": {
        const out: Instr[] = [
          this.operand(s.source),
          call("cs_type"),
          { op: "i32.const", value: s.type },
          { op: "i32.ne" },
          { op: "br_if", label: this.failLabel },
        ];
        if (s.length !== undefined) {
          out.push(
            this.operand(s.source),
            call("cs_length"),
            { op: "i32.const", value: s.length },
            { op: "i32.ne" },
            { op: "br_if", label: this.failLabel },
          );
        }
        return out;
      }
      case "dot":
        return [this.operand(s.source), this.operand(s.key), call("cs_get"), tee(s.target), ...this.failIfZero()];
      case "call":
        return [...s.args.map((a) => this.operand(a)), call(s.func), tee(s.target), ...this.failIfZero()];
      case "builtin": {
        const invoke: Instr[] =
          s.impl === "runtime"
            ? [...s.args.map((a) => this.operand(a)), call(builtinExportName(s.name))]
            : [
                { op: "i32.const", value: this.emitter.hostBuiltinId(s.name) },
                { op: "i32.const", value: 0 },
                ...s.args.map((a) => this.operand(a)),
                call(hostBuiltinImport(s.args.length)),
                ...(keysSetOperandsByElement(s.name)
                  ? [this.operand(s.args[0]!), this.operand(s.args[1]!), call("cs_set_operand_keys")]
                  : []),
                ...(returnsSet(s.name) ? [call("cs_array_to_set")] : []),
                ...(overlaysFirstOperand(s.name) ? [this.operand(s.args[0]!), call("cs_object_overlay")] : []),
              ];
        if ((!this.emitter.strict && !haltsOnError(s.name)) || s.impl === "host") return [...invoke, tee(s.target), ...this.failIfZero()];
        return [
          ...invoke,
          tee(s.target),
          { op: "i32.eqz" },
          {
            op: "if",
            then: [
              call("cs_builtin_failed"),
              { op: "if", then: this.emitter.raiseBuiltin(`${s.loc.file}:${s.loc.line}`) },
              { op: "br", label: this.failLabel },
            ],
          },
        ];
      }
      case "makeArray":
        return [{ op: "i32.const", value: 0 }, call("cs_array"), set(s.target)];
      case "makeObject":
        return [call(s.tree ? "cs_tree_object" : "cs_object"), set(s.target)];
      case "makeSet":
        return [call(s.tree ? "cs_tree_set" : "cs_set"), set(s.target)];
      case "arrayAppend":
        return [get(s.collection), this.operand(s.value), call("cs_array_append")];
      case "setAdd":
        return [get(s.collection), this.operand(s.value), call("cs_set_add")];
      case "objectInsert":
        return [get(s.object), this.operand(s.key), this.operand(s.value), call("cs_object_insert")];
      case "objectInsertOnce":
        return [
          get(s.object),
          this.operand(s.key),
          this.operand(s.value),
          call("cs_object_insert_unique"),
          { op: "if", then: this.emitter.raise(s.message) },
        ];
      case "objectInsertLeaf":
        return [
          get(s.object),
          this.operand(s.key),
          this.operand(s.value),
          call("cs_object_insert_leaf"),
          { op: "if", then: this.emitter.raise(s.message) },
        ];
      case "objectInsertPath":
        return [
          get(s.object),
          get(s.path),
          this.operand(s.value),
          call("cs_object_insert_path"),
          { op: "if", then: this.emitter.raise(s.message) },
        ];
      case "objectAddToSetAt":
        return [
          get(s.object),
          get(s.path),
          this.operand(s.value),
          call("cs_object_add_to_set_at"),
          { op: "if", then: this.emitter.raise(s.message) },
        ];
      case "objectMergeAt":
        return [
          get(s.object),
          this.operand(s.key),
          this.operand(s.value),
          { op: "i32.const", value: s.leaf ? 1 : 0 },
          call("cs_object_merge_at"),
          { op: "if", then: this.emitter.raise(s.message) },
        ];
      case "merge": {
        const t = this.scratch();
        return [get(s.a), this.operand(s.b), call("cs_merge"), tee(t), ...this.failIfZero(), get(t), set(s.target)];
      }
      case "upsert":
        return [get(s.root), get(s.path), this.operand(s.value), call("cs_upsert"), set(s.target)];
      case "assignOnce":
        return [
          get(s.result),
          {
            op: "if",
            then: [
              get(s.result),
              this.operand(s.value),
              call("cs_equal"),
              { op: "i32.eqz" },
              { op: "if", then: this.emitter.raise(s.message) },
            ],
          },
          this.operand(s.value),
          set(s.result),
        ];
      case "memoGet":
        return [{ op: "i32.const", value: s.id }, call("cs_memo_get"), set(s.target)];
      case "memoPut":
        return [get(s.source), { op: "if", then: [{ op: "i32.const", value: s.id }, get(s.source), call("cs_memo_put")] }];
      case "memoPush":
        return [call("cs_memo_push")];
      case "memoPop":
        return [call("cs_memo_pop")];
      case "return":
        return [get(s.source), { op: "return" }];
    }
    return [];
  }
}

/** The most digits a number literal in exponent form is spelt out to (see integerDigits). */
const MAX_SPELT_DIGITS = 400;

/**
 * The decimal digits of a number literal with a fraction or an exponent (`1e30`, `2.5E20`) that denotes an
 * integer, or null when it does not, or would take more than MAX_SPELT_DIGITS digits.
 */
export function integerDigits(text: string): string | null {
  const m = /^(-?)(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (m === null) return null;
  const [, sign, whole, fraction = "", exp = "0"] = m;
  const exponent = Number(exp) - fraction.length;
  let digits = (whole! + fraction).replace(/^0+/, "");
  if (digits === "") return "0";
  if (exponent >= 0) {
    if (digits.length + exponent > MAX_SPELT_DIGITS) return null;
    digits += "0".repeat(exponent);
  } else {
    const dropped = digits.slice(digits.length + exponent);
    if (-exponent > digits.length || /[1-9]/.test(dropped)) return null;
    digits = digits.slice(0, digits.length + exponent);
  }
  return `${sign}${digits}`;
}
