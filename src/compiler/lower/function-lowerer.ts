/**
 * The function lowerer: turns the bodies of one function (a rule set, a document, an entrypoint or a query)
 * into IR blocks, calling the checks of check/ at each point they judge.
 *
 * Bodies are lowered in continuation style, as OPA's planner does: lowering a literal takes "the rest of the
 * body" as a callback and places it inside whatever blocks and scans the literal opened, so iteration nests
 * naturally and a failing statement abandons exactly the current path. The safety check picks the order of
 * the literals; a check that fails reports its diagnostic and lowering abandons that path, so what is
 * reported, and in what order, follows the lowering order.
 */

import type { Body, CallTerm, Every, Expr, Module, Rule, SomeIn, Term, TermExpr, VarTerm, WithModifier } from "../ast";
import { isRelation, type BuiltinLookup } from "../builtin-catalog";
import { checkAssignedAbove } from "../check/assigned-above";
import {
  checkBuiltinCall,
  checkBuiltinReplacement,
  checkFunctionCall,
  checkFunctionReplacement,
  checkHostBuiltin,
  reportFunctionAsValue,
} from "../check/calls";
import type { CheckReporter } from "../check/checks";
import { NameResolver, type RefRoot } from "../check/names";
import { SafetyCheck } from "../check/safety";
import { Scope, type BindingView } from "../check/scope";
import { checkUnifiableKey } from "../check/unification";
import { checkReplaceable, documentTargetPath, reportDataTargetAcrossRule } from "../check/with-target";
import type { Location } from "../diagnostics";
import { COVERAGE_BUILTIN } from "./coverage-builtin";
import type { Block, Constant, Func, Local, Operand, Stmt } from "../ir";
import type { RuleSet, RuleTree, TreeNode } from "../rule-tree";
import { sameTerm } from "../term-compare";
import { ValueType } from "../value-type";
import { bodyVars, declaredVars, isGround, termVars } from "../vars";
import { isValueMock, mockValueNames, NO_MOCKS, ruleMocksOnly, type Mock, type MockEnv } from "./mocks";

/** What a function lowerer needs from the program it is part of (ProgramLowerer). */
export interface LoweringContext {
  readonly tree: RuleTree;
  readonly builtins: BuiltinLookup;
  /** Built-ins the runtime implements; the rest are called through the host. */
  readonly runtimeBuiltins: ReadonlySet<string>;
  readonly reporter: CheckReporter;
  /** Whether to instrument for coverage (COVERAGE_BUILTIN calls). */
  readonly coverage: boolean;
  /** Interns a constant and returns its id. */
  constant(c: Constant): number;
  /** The id a host built-in is called with, registering it on first use. */
  hostBuiltinId(name: string): number;
  /** The memo id of a rule set or node lowered under the mocks whose key is ctx (its own id without mocks). */
  memoId(id: number, ctx: string): number;
  /** The name of the function computing a rule set's value under mocks, lowered on first use. */
  ruleFunction(set: RuleSet, loc: Location, mocks: MockEnv): string;
  /** The name of the function building an inner node's document under mocks, lowered on first use. */
  docFunction(node: TreeNode, loc: Location, mocks: MockEnv): string;
}

const COMPARISONS: Readonly<Record<string, "lt" | "lte" | "gt" | "gte">> = { lt: "lt", lte: "lte", gt: "gt", gte: "gte" };

/** Lowers one function: its locals, labels, blocks and the scopes of the bodies inside it. */
export class FunctionLowerer implements BindingView {
  private locals: number;
  private labels = 0;
  readonly body: Block;
  private cur: Block;
  /** Locals currently holding `input` and `data` (they change under `with`). */
  input: Local = 0;
  data: Local = 1;
  /** Functions, built-ins and rules replaced by `with` here; replacing values are operands of this function. */
  mocks: MockEnv = NO_MOCKS;
  scope = new Scope<Operand>(null);
  /** Variables of enclosing bodies: a comprehension must wait until those it mentions are bound. */
  private outerNames = new Set<string>();

  /** Name resolution under this function's bindings. */
  readonly names: NameResolver;
  /** The safety check under this function's bindings. */
  private readonly safety: SafetyCheck;

  constructor(
    private readonly program: LoweringContext,
    module: Module | null,
    private readonly name: string,
    private readonly doc: string,
    private readonly params: number,
    private readonly loc: Location,
  ) {
    this.locals = params;
    this.body = this.newBlock();
    this.cur = this.body;
    this.names = new NameResolver(program.tree, module, program.builtins, this);
    this.safety = new SafetyCheck(this.names, this, program.reporter);
  }

  private get reporter(): CheckReporter {
    return this.program.reporter;
  }

  // ---- the bindings the checks see (BindingView) -------------------------------------------------

  isBound(name: string): boolean {
    return this.scope.lookup(name) !== undefined;
  }
  isDeclared(name: string): boolean {
    return this.scope.isDeclared(name);
  }
  isOuter(name: string): boolean {
    return this.outerNames.has(name);
  }
  assuming(names: ReadonlySet<string>, check: () => boolean): boolean {
    let ready = false;
    this.inScope(() => {
      for (const n of names) this.scope.bind(n, { kind: "const", id: -1 });
      ready = check();
    });
    return ready;
  }

  finish(): Func {
    return { name: this.name, doc: this.doc, params: this.params, locals: this.locals, body: this.body, loc: this.loc };
  }

  newLocal(): Local {
    return this.locals++;
  }
  newBlock(): Block {
    return { label: `L${this.labels++}`, stmts: [] };
  }
  local(l: Local): Operand {
    return { kind: "local", local: l };
  }
  stmt(s: Stmt): void {
    this.cur.stmts.push(s);
  }
  get currentLabel(): string {
    return this.cur.label;
  }
  inBlock(b: Block, fn: () => void): void {
    const saved = this.cur;
    this.cur = b;
    try {
      fn();
    } finally {
      this.cur = saved;
    }
  }
  /** Runs fn with a child scope, restoring the current one afterwards. */
  inScope(fn: () => void): void {
    const saved = this.scope;
    const savedOuter = this.outerNames;
    this.scope = new Scope(saved);
    this.outerNames = new Set(savedOuter);
    try {
      fn();
    } finally {
      this.scope = saved;
      this.outerNames = savedOuter;
    }
  }
  /** Plans fn inside a new nested block statement. */
  nested(loc: Location, fn: () => void): Block {
    const b = this.newBlock();
    this.inBlock(b, fn);
    this.stmt({ kind: "block", block: b, loc });
    return b;
  }

  /** The arguments of a call to a rule or document function: input, data, args, then the mocked values. */
  callArgs(args: readonly Operand[], mocks: MockEnv = this.mocks): Operand[] {
    const values = mockValueNames(mocks).map((n) => (mocks.get(n) as Mock & { kind: "value" | "rule" }).op);
    return [this.local(this.input), this.local(this.data), ...args, ...values];
  }

  constOf(c: Constant): Operand {
    return { kind: "const", id: this.program.constant(c) };
  }

  /** The constant id of a ground term. */
  groundConst(t: Term): number {
    switch (t.kind) {
      case "null":
        return this.program.constant({ kind: "null" });
      case "boolean":
        return this.program.constant({ kind: "boolean", value: t.value });
      case "number":
        return this.program.constant({ kind: "number", text: t.text });
      case "string":
        return this.program.constant({ kind: "string", value: t.value });
      case "array":
        return this.program.constant({ kind: "array", items: t.items.map((i) => this.groundConst(i)) });
      case "set":
        return this.program.constant({ kind: "set", items: t.items.map((i) => this.groundConst(i)) });
      case "object":
        return this.program.constant({
          kind: "object",
          entries: t.entries.map(([k, v]) => [this.groundConst(k), this.groundConst(v)] as const),
        });
      default:
        throw new Error(`internal: ${t.kind} is not ground`);
    }
  }

  // ---- bodies ---------------------------------------------------------------------------------

  /** Plans a body, reordering literals for safety, then k inside the innermost block. */
  planBody(body: Body, k: () => void): void {
    checkAssignedAbove(body, (n) => this.isBound(n), this.reporter);
    for (const n of bodyVars(body, new Set(), false)) this.outerNames.add(n);
    for (const n of declaredVars(body)) this.scope.declare(n);
    this.planPending([...body], k);
  }

  private planPending(pending: Expr[], k: () => void): void {
    if (pending.length === 0) return k();
    const idx = this.safety.next(pending);
    if (idx < 0) return;
    const e = pending[idx];
    const rest = pending.filter((_, i) => i !== idx);
    this.planExpr(e, () => this.planPending(rest, k));
  }

  private planExpr(e: Expr, k: () => void): void {
    this.coverHit(e.loc);
    switch (e.kind) {
      case "some":
        for (const v of e.vars) this.scope.declare(v.name);
        return k();
      case "somein":
        return this.planWith(e.with, e.loc, () => this.planSomeIn(e, k), k);
      case "every":
        return this.planWith(e.with, e.loc, () => this.planEvery(e, k), k);
      case "expr":
        return this.planWith(e.with, e.loc, (kk) => (e.negated ? this.planNot(e, kk) : this.planPositive(e.term, kk)), k);
    }
  }

  /**
   * Plans `inner` under `with` modifiers. Without modifiers, inner runs with k directly. With them, the
   * modified input/data are computed, a fresh memo frame is pushed for the duration of the expression, and
   * popped around the continuation (which runs in its own block so that its failures still re-push).
   * A modifier on a function, a built-in or a whole rule adds a mock instead: code planned inside sees it,
   * and so do the rules it reaches, which are planned again for those mocks (see ProgramLowerer.ruleFunction)
   * so that the mocks hold however deep the rules nest.
   */
  private planWith(mods: readonly WithModifier[], loc: Location, inner: (k: () => void) => void, k: () => void): void {
    if (mods.length === 0) return inner(k);
    const docMods: WithModifier[] = [];
    const fnMods: { name: string; replacement: Mock | null; value: Term }[] = [];
    for (const m of mods) {
      const name = this.names.mockTarget(m.target);
      if (name === null) {
        docMods.push(m);
        continue;
      }
      checkReplaceable(name, m.loc, this.reporter);
      fnMods.push({ name, replacement: this.names.replacementOf(m.value), value: m.value });
    }
    const valueMods = fnMods.filter((f) => f.replacement === null);
    this.planTerms([...docMods.map((m) => m.value), ...valueMods.map((f) => f.value)], (values) => {
      let newInput = this.input;
      let newData = this.data;
      const newMocks = new Map(this.mocks);
      for (const f of fnMods) {
        newMocks.set(f.name, f.replacement ?? { kind: "value", op: values[docMods.length + valueMods.indexOf(f)] });
      }
      docMods.forEach((m, i) => {
        const target = this.names.expandRef(m.target);
        const path = documentTargetPath(target, m.loc, this.reporter);
        if (path === null) return;
        if (target.root === "input") {
          newInput = this.upsert(newInput, path, values[i], m.loc);
        } else {
          const hit = this.names.ruleAlong(path);
          if (hit === "exact-rule") newMocks.set(`data.${path.join(".")}`, { kind: "rule", op: values[i] });
          else if (hit === "base") newData = this.upsert(newData, path, values[i], m.loc);
          else reportDataTargetAcrossRule(path, m.loc, this.reporter);
        }
      });
      this.stmt({ kind: "memoPush", loc });
      this.nested(loc, () => {
        const savedIn = this.input;
        const savedData = this.data;
        const savedMocks = this.mocks;
        this.input = newInput;
        this.data = newData;
        this.mocks = newMocks;
        inner(() => {
          this.input = savedIn;
          this.data = savedData;
          this.mocks = savedMocks;
          this.stmt({ kind: "memoPop", loc });
          this.nested(loc, k);
          this.stmt({ kind: "memoPush", loc });
          this.input = newInput;
          this.data = newData;
          this.mocks = newMocks;
        });
        this.input = savedIn;
        this.data = savedData;
        this.mocks = savedMocks;
      });
      this.stmt({ kind: "memoPop", loc });
    });
  }

  private upsert(root: Local, path: string[], value: Operand, loc: Location): Local {
    const target = this.newLocal();
    if (path.length === 0) {
      this.stmt({ kind: "assign", target, source: value, loc });
      return target;
    }
    const pathLocal = this.toLocal(this.constOf(this.pathConst(path)), loc);
    this.stmt({ kind: "upsert", root, path: pathLocal, value, target, loc });
    return target;
  }

  private pathConst(path: string[]): Constant {
    return { kind: "array", items: path.map((p) => this.program.constant({ kind: "string", value: p })) };
  }

  /** `not expr`: the expression is planned in a nested block whose first solution fails this path. */
  private planNot(e: TermExpr, k: () => void): void {
    const parent = this.currentLabel;
    this.nested(e.loc, () => {
      this.inScope(() => this.planPositive(e.term, () => this.stmt({ kind: "break", label: parent, loc: e.loc })));
    });
    k();
  }

  private planSomeIn(e: SomeIn, k: () => void): void {
    this.planTerm(e.collection, (coll) => {
      const src = this.toLocal(coll, e.loc);
      const key = e.key ? this.newLocal() : null;
      const value = this.newLocal();
      const block = this.newBlock();
      this.stmt({ kind: "scan", source: src, key, value, block, loc: e.loc });
      this.inBlock(block, () => {
        const afterKey = () => this.destructure(e.value, this.local(value), k, e.loc);
        if (e.key && key !== null) this.destructure(e.key, this.local(key), afterKey, e.loc);
        else afterKey();
      });
    });
  }

  /** `every k, v in xs { body }`: fails this path when some element fails the body. */
  private planEvery(e: Every, k: () => void): void {
    this.planTerm(e.domain, (dom) => {
      const parent = this.currentLabel;
      const src = this.toLocal(dom, e.loc);
      const key = e.key ? this.newLocal() : null;
      const value = this.newLocal();
      const scanBody = this.newBlock();
      this.stmt({ kind: "scan", source: src, key, value, block: scanBody, loc: e.loc });
      this.inBlock(scanBody, () => {
        this.inScope(() => {
          this.scope.bind(e.value.name, this.local(value));
          this.scope.declare(e.value.name);
          if (e.key && key !== null) {
            this.scope.bind(e.key.name, this.local(key));
            this.scope.declare(e.key.name);
          }
          this.nested(e.loc, () => this.planBody(e.body, () => this.stmt({ kind: "break", label: scanBody.label, loc: e.loc })));
        });
        this.stmt({ kind: "break", label: parent, loc: e.loc });
      });
      k();
    });
  }

  private planPositive(t: Term, k: () => void): void {
    if (t.kind === "call") {
      const [a, b] = t.args;
      // A mocked operator (`with equal as f`) is an ordinary call: its special statements would skip the mock.
      switch (this.mocks.has(t.name) ? "" : t.name) {
        case "eq":
          return this.unify(a, b, k, t.loc);
        case "assign":
          // assigned-above is checked in source order by check/assigned-above.ts
          return this.unify(a, b, k, t.loc);
        case "equal":
        case "neq":
          return this.planTerms([a, b], ([va, vb]) => {
            this.stmt({ kind: t.name === "equal" ? "equal" : "notEqual", a: va, b: vb, loc: t.loc });
            k();
          });
        case "lt":
        case "lte":
        case "gt":
        case "gte":
          return this.planTerms([a, b], ([va, vb]) => {
            this.stmt({ kind: "compare", op: COMPARISONS[t.name], a: va, b: vb, loc: t.loc });
            k();
          });
        case "print":
          return this.planPrint(t, k);
        default: {
          const arity = this.names.arityOf(t);
          if (arity !== undefined && arity >= 0 && t.args.length === arity + 1) {
            const call: CallTerm = { ...t, args: t.args.slice(0, -1) };
            return this.unify(t.args[t.args.length - 1], call, k, t.loc);
          }
        }
      }
    }
    this.planTerm(t, (v) => {
      this.stmt({ kind: "notFalse", source: v, loc: t.loc });
      k();
    });
  }

  /**
   * `print(a, b, …)` as OPA runs it: never fails; each argument is evaluated on its own and an undefined one
   * prints as `<undefined>`. The runtime's `internal.print` writes the line through `opa_println`; without
   * it, print evaluates its arguments and prints nothing.
   */
  private planPrint(t: CallTerm, k: () => void): void {
    const values = t.args.map((arg) => {
      const v = this.newLocal();
      this.stmt({ kind: "reset", target: v, loc: arg.loc });
      this.nested(arg.loc, () =>
        this.inScope(() => this.planTerm(arg, (op) => this.stmt({ kind: "assign", target: v, source: op, loc: arg.loc }))),
      );
      this.nested(arg.loc, () => {
        this.stmt({ kind: "isUndefined", local: v, loc: arg.loc });
        this.stmt({ kind: "assign", target: v, source: this.constOf({ kind: "string", value: "<undefined>" }), loc: arg.loc });
      });
      return v;
    });
    if (this.program.runtimeBuiltins.has("internal.print")) {
      const arr = this.newLocal();
      this.stmt({ kind: "makeArray", target: arr, loc: t.loc });
      for (const v of values) this.stmt({ kind: "arrayAppend", collection: arr, value: this.local(v), loc: t.loc });
      const out = this.newLocal();
      this.nested(t.loc, () =>
        this.stmt({ kind: "builtin", name: "internal.print", impl: "runtime", args: [this.local(arr)], target: out, loc: t.loc }),
      );
    }
    k();
  }

  // ---- unification ----------------------------------------------------------------------------

  private bind(t: Term, op: Operand): void {
    const v = t as VarTerm;
    if (v.wildcard) return;
    this.scope.bind(v.name, op);
  }

  private hasUnbound(t: Term): boolean {
    if (this.names.isUnbound(t)) return true;
    if (t.kind === "array") return t.items.some((i) => this.hasUnbound(i));
    if (t.kind === "object") return t.entries.some(([, v]) => this.hasUnbound(v));
    return false;
  }

  /** Unifies two terms, binding variables on either side, then continues with k. */
  unify(a: Term, b: Term, k: () => void, loc: Location): void {
    if (this.names.isUnbound(a) && this.names.isUnbound(b)) {
      this.safety.reportUnsafeVar((a as VarTerm).name, loc);
      return;
    }
    if (this.names.isUnbound(a)) return this.planTerm(b, (v) => (this.bind(a, v), k()));
    if (this.names.isUnbound(b)) return this.planTerm(a, (v) => (this.bind(b, v), k()));
    if (a.kind === "array" && b.kind === "array") {
      if (a.items.length !== b.items.length) return;
      const step = (i: number): void => (i === a.items.length ? k() : this.unify(a.items[i], b.items[i], () => step(i + 1), loc));
      return step(0);
    }
    const pa = this.hasUnbound(a);
    const pb = this.hasUnbound(b);
    if (pa && !pb) return this.planTerm(b, (v) => this.destructure(a, v, k, loc));
    if (pb && !pa) return this.planTerm(a, (v) => this.destructure(b, v, k, loc));
    if (pa && pb && a.kind === "object" && b.kind === "object") {
      return this.unifyObjects(a, b, k, loc);
    }
    this.planTerm(a, (va) =>
      this.planTerm(b, (vb) => {
        this.stmt({ kind: "equal", a: va, b: vb, loc });
        k();
      }),
    );
  }

  private unifyObjects(a: Term & { kind: "object" }, b: Term & { kind: "object" }, k: () => void, loc: Location): void {
    if (a.entries.length !== b.entries.length) return;
    const pairs: [Term, Term][] = [];
    for (const [ka, va] of a.entries) {
      if (!checkUnifiableKey(ka, loc, this.reporter)) return;
      const match = b.entries.find(([kb]) => isGround(kb) && sameTerm(ka, kb));
      if (!match) return;
      pairs.push([va, match[1]]);
    }
    const step = (i: number): void => (i === pairs.length ? k() : this.unify(pairs[i][0], pairs[i][1], () => step(i + 1), loc));
    step(0);
  }

  /** Matches a pattern (with unbound variables) against a value, binding the variables. */
  destructure(pattern: Term, value: Operand, k: () => void, loc: Location): void {
    if (this.names.isUnbound(pattern)) {
      this.bind(pattern, value);
      return k();
    }
    if (pattern.kind === "array" && this.hasUnbound(pattern)) {
      this.stmt({ kind: "isType", source: value, type: ValueType.Array, length: pattern.items.length, loc });
      const step = (i: number): void => {
        if (i === pattern.items.length) return k();
        const t = this.newLocal();
        this.stmt({ kind: "dot", source: value, key: this.constOf({ kind: "number", text: String(i) }), target: t, loc });
        this.destructure(pattern.items[i], this.local(t), () => step(i + 1), loc);
      };
      return step(0);
    }
    if (pattern.kind === "object" && this.hasUnbound(pattern)) {
      this.stmt({ kind: "isType", source: value, type: ValueType.Object, length: pattern.entries.length, loc });
      const step = (i: number): void => {
        if (i === pattern.entries.length) return k();
        const [pk, pv] = pattern.entries[i];
        this.planTerm(pk, (kv) => {
          const t = this.newLocal();
          this.stmt({ kind: "dot", source: value, key: kv, target: t, loc });
          this.destructure(pv, this.local(t), () => step(i + 1), loc);
        });
      };
      return step(0);
    }
    this.planTerm(pattern, (pv) => {
      this.stmt({ kind: "equal", a: value, b: pv, loc });
      k();
    });
  }

  // ---- terms ----------------------------------------------------------------------------------

  toLocal(op: Operand, loc: Location): Local {
    if (op.kind === "local") return op.local;
    const l = this.newLocal();
    this.stmt({ kind: "assign", target: l, source: op, loc });
    return l;
  }

  /**
   * Plans several terms, then k with their operands in the terms' order. Terms are planned left to right,
   * except that a term that cannot be computed yet waits for one whose references bind its variables
   * (`x == input.xs[x]` plans the lookup first).
   */
  planTerms(terms: readonly Term[], k: (ops: Operand[]) => void): void {
    const step = (ops: readonly (Operand | undefined)[]): void => {
      const pending = terms.map((_, i) => i).filter((i) => ops[i] === undefined);
      if (pending.length === 0) return k(ops as Operand[]);
      const i = pending.find((j) => this.safety.producible(terms[j])) ?? pending[0];
      this.planTerm(terms[i], (op) => step(ops.map((o, j) => (j === i ? op : o))));
    };
    step(terms.map(() => undefined));
  }

  /** Plans a term's value; k runs once per value (refs with unbound variables iterate). */
  planTerm(t: Term, k: (op: Operand) => void): void {
    if (isGround(t)) return k({ kind: "const", id: this.groundConst(t) });
    switch (t.kind) {
      case "var": {
        const bound = this.scope.lookup(t.name);
        if (bound !== undefined) return k(bound);
        const g = this.names.globalRef(t.name, t.loc);
        if (g !== null) return this.planRefRoot(g, k, t.loc);
        this.safety.reportUnsafeVar(t.name, t.loc);
        return;
      }
      case "ref":
        return this.planRefRoot(this.names.expandRef(t), k, t.loc);
      case "array":
        return this.planTerms(t.items, (ops) => {
          const arr = this.newLocal();
          this.stmt({ kind: "makeArray", target: arr, loc: t.loc });
          for (const op of ops) this.stmt({ kind: "arrayAppend", collection: arr, value: op, loc: t.loc });
          k(this.local(arr));
        });
      case "set":
        return this.planTerms(t.items, (ops) => {
          const set = this.newLocal();
          this.stmt({ kind: "makeSet", target: set, loc: t.loc });
          for (const op of ops) this.stmt({ kind: "setAdd", collection: set, value: op, loc: t.loc });
          k(this.local(set));
        });
      case "object":
        return this.planTerms(
          t.entries.flatMap(([key, value]) => [key, value]),
          (ops) => {
            const obj = this.newLocal();
            this.stmt({ kind: "makeObject", target: obj, loc: t.loc });
            for (let i = 0; i < ops.length; i += 2) {
              this.stmt({ kind: "objectInsert", object: obj, key: ops[i], value: ops[i + 1], loc: t.loc });
            }
            k(this.local(obj));
          },
        );
      case "call":
        return this.planCall(t, k);
      case "arraycompr":
      case "setcompr":
      case "objectcompr":
        return this.planComprehension(t, k);
      default:
        return k({ kind: "const", id: this.groundConst(t) });
    }
  }

  private planComprehension(t: Term & { kind: "arraycompr" | "setcompr" | "objectcompr" }, k: (op: Operand) => void): void {
    const coll = this.newLocal();
    this.stmt({ kind: t.kind === "arraycompr" ? "makeArray" : t.kind === "setcompr" ? "makeSet" : "makeObject", target: coll, loc: t.loc });
    this.nested(t.loc, () =>
      this.inScope(() =>
        this.planBody(t.body, () => {
          if (t.kind === "objectcompr") {
            this.planTerm(t.key, (kv) =>
              this.planTerm(t.value, (vv) =>
                this.stmt({
                  kind: "objectInsertOnce",
                  object: coll,
                  key: kv,
                  value: vv,
                  message: this.conflictMessage(t.loc, "object keys must be unique"),
                  loc: t.loc,
                }),
              ),
            );
          } else {
            this.planTerm(t.term, (v) =>
              this.stmt({ kind: t.kind === "arraycompr" ? "arrayAppend" : "setAdd", collection: coll, value: v, loc: t.loc }),
            );
          }
        }),
      ),
    );
    k(this.local(coll));
  }

  conflictMessage(loc: Location, text: string): string {
    return `${loc.file}:${loc.line}: eval_conflict_error: ${text}`;
  }

  private planCall(t: CallTerm, k: (op: Operand) => void): void {
    const fn = this.names.resolveFunction(t.name, t.loc);
    if (fn !== null) {
      if (!checkFunctionCall(fn, t, this.reporter)) return;
      const mock = this.mocks.get(`data.${fn.path.join(".")}`);
      if (mock !== undefined) return this.planMockedCall(t, mock, k);
      const fname = this.program.ruleFunction(fn, t.loc, this.mocks);
      return this.planTerms(t.args, (ops) => {
        const r = this.newLocal();
        this.stmt({ kind: "call", func: fname, args: this.callArgs(ops), target: r, loc: t.loc });
        k(this.local(r));
      });
    }
    const arity = this.program.builtins.arity(t.name);
    if (!checkBuiltinCall(t, arity, this.reporter)) return;
    const mock = this.mocks.get(t.name);
    if (mock !== undefined) return this.planMockedCall(t, mock, k);
    const emit = this.builtinCall(t.name, arity, t.loc);
    if (emit !== null) this.planTerms(t.args, (ops) => emit(ops, k));
  }

  /** Checks that a built-in can be called here and returns what plans a call of it on planned arguments. */
  private builtinCall(name: string, arity: number, loc: Location): ((ops: Operand[], k: (op: Operand) => void) => void) | null {
    const runtime = this.program.runtimeBuiltins.has(name);
    if (!runtime) {
      if (!checkHostBuiltin(name, arity, loc, this.reporter)) return null;
      this.program.hostBuiltinId(name);
    }
    return (ops, k) => {
      const r = this.newLocal();
      this.stmt({ kind: "builtin", name, impl: runtime ? "runtime" : "host", args: ops, target: r, loc });
      if (!isRelation(name)) return k(this.local(r));
      const value = this.newLocal();
      const block = this.newBlock();
      this.stmt({ kind: "scan", source: r, key: null, value, block, loc });
      this.inBlock(block, () => k(this.local(value)));
    };
  }

  /**
   * A call of a function or built-in replaced by `with`: the arguments are still evaluated (and must be
   * defined), then the replacement value is the result, or the replacing built-in or function is called.
   * A replacing function runs without function mocks, so it may call the original and never another mock;
   * rules replaced by `with data.… as` stay replaced for it.
   */
  private planMockedCall(t: CallTerm, mock: Mock, k: (op: Operand) => void): void {
    let emit: (ops: Operand[], k: (op: Operand) => void) => void;
    switch (mock.kind) {
      case "value":
      case "rule":
        emit = (_ops, kk) => kk(mock.op);
        break;
      case "builtin": {
        const arity = this.program.builtins.arity(mock.name)!;
        if (!checkBuiltinReplacement(t, mock.name, arity, this.reporter)) return;
        const call = this.builtinCall(mock.name, arity, t.loc);
        if (call === null) return;
        emit = call;
        break;
      }
      case "func": {
        if (!checkFunctionReplacement(t, mock.set, this.reporter)) return;
        const mocks = ruleMocksOnly(this.mocks);
        const fname = this.program.ruleFunction(mock.set, t.loc, mocks);
        emit = (ops, kk) => {
          const r = this.newLocal();
          this.stmt({ kind: "call", func: fname, args: this.callArgs(ops, mocks), target: r, loc: t.loc });
          kk(this.local(r));
        };
        break;
      }
    }
    this.planTerms(t.args, (ops) => emit(ops, k));
  }

  // ---- references -----------------------------------------------------------------------------

  private planRefRoot(r: RefRoot, k: (op: Operand) => void, loc: Location): void {
    if (r.root !== "value") {
      if (r.root === "data") return this.planDataRef(r.path, k, loc);
      // `input` itself is undefined when no input was given; lookups below it fail on their own.
      if (r.path.length === 0) this.stmt({ kind: "isDefined", local: this.input, loc });
      return this.planPath(this.local(this.input), r.path, 0, k, loc);
    }
    if (r.head.kind === "var" && !this.isBound(r.head.name)) {
      this.safety.reportUnsafeVar(r.head.name, r.head.loc);
      return;
    }
    this.planTerm(r.head, (h) => this.planPath(h, r.path, 0, k, loc));
  }

  /** Applies path segments to a value: constant keys look up, unbound variables iterate. */
  private planPath(op: Operand, path: readonly Term[], i: number, k: (op: Operand) => void, loc: Location): void {
    if (i === path.length) return k(op);
    const seg = path[i];
    if (this.hasUnbound(seg)) {
      const src = this.toLocal(op, loc);
      const key = this.newLocal();
      const value = this.newLocal();
      const block = this.newBlock();
      const keyUsed = !(seg.kind === "var" && seg.wildcard);
      this.stmt({ kind: "scan", source: src, key: keyUsed ? key : null, value, block, loc: seg.loc });
      this.inBlock(block, () => {
        if (!keyUsed) return this.planPath(this.local(value), path, i + 1, k, loc);
        this.destructure(seg, this.local(key), () => this.planPath(this.local(value), path, i + 1, k, loc), seg.loc);
      });
      return;
    }
    this.planTerm(seg, (key) => {
      const t = this.newLocal();
      this.stmt({ kind: "dot", source: op, key, target: t, loc: seg.loc });
      this.planPath(this.local(t), path, i + 1, k, loc);
    });
  }

  /**
   * Resolves a path below `data` against the rule tree (see rule-tree.ts). A key that is a value known at
   * run time (`data[name].allow`) selects among the node's children there, so only the rules along the
   * path run (and only they count for recursion); a key that iterates needs the node's whole document.
   */
  planDataRef(path: readonly Term[], k: (op: Operand) => void, loc: Location): void {
    let node: TreeNode = this.program.tree.root;
    let i = 0;
    while (i < path.length) {
      const seg = path[i];
      if (seg.kind !== "string") {
        if (this.hasUnbound(seg) || !path.slice(i + 1).every((t) => this.singleValued(t))) break;
        return this.planDataDispatch(node, path, i, k, loc);
      }
      const child = node.children.get(seg.value);
      if (child === undefined) {
        const base = [...node.path.map((p) => ({ kind: "string", value: p, loc }) as Term), ...path.slice(i)];
        return this.planPath(this.local(this.data), base, 0, k, loc);
      }
      if (child.type === "node" && child.dynamic.length > 0) {
        node = child;
        i++;
        break;
      }
      if (child.type === "rules") {
        if (child.kind === "function") {
          reportFunctionAsValue(child, seg.loc, this.reporter);
          return;
        }
        const mock = this.mocks.get(`data.${child.path.join(".")}`);
        if (mock !== undefined && isValueMock(mock)) return this.planPath(mock.op, path, i + 1, k, loc);
        const fn = this.program.ruleFunction(child, seg.loc, this.mocks);
        const r = this.newLocal();
        this.stmt({ kind: "call", func: fn, args: this.callArgs([]), target: r, loc: seg.loc });
        return this.planPath(this.local(r), path, i + 1, k, loc);
      }
      node = child;
      i++;
    }
    const fn = this.program.docFunction(node, loc, this.mocks);
    const r = this.newLocal();
    this.stmt({ kind: "call", func: fn, args: this.callArgs([]), target: r, loc });
    this.planPath(this.local(r), path, i, k, loc);
  }

  /** True when a term has at most one value here: all its variables are bound and it calls no relation. */
  private singleValued(t: Term): boolean {
    const vars = termVars(t, new Set(), false);
    if ([...vars].some((n) => this.names.isUnbound({ kind: "var", name: n, loc: t.loc }))) return false;
    const calls = (u: Term): boolean => {
      switch (u.kind) {
        case "call":
          return isRelation(u.name) || u.args.some(calls);
        case "ref":
          return calls(u.head) || u.path.some(calls);
        case "array":
        case "set":
          return u.items.some(calls);
        case "object":
          return u.entries.some(([a, b]) => calls(a) || calls(b));
        default:
          return false;
      }
    };
    return !calls(t);
  }

  /**
   * `data…[key]…` where key (path[i]) is a value and no later key iterates: for each child of the node, a
   * block that runs when key is the child's name and resolves the rest of the path below that child; when
   * key names no child, the rest is looked up in base data. Each path yields at most one value, collected
   * in one local before k, so k is planned once.
   */
  private planDataDispatch(node: TreeNode, path: readonly Term[], i: number, k: (op: Operand) => void, loc: Location): void {
    const seg = path[i];
    this.planTerm(seg, (key) => {
      const result = this.newLocal();
      this.stmt({ kind: "reset", target: result, loc: seg.loc });
      const names = [...node.children.keys()];
      for (const name of names) {
        const child = node.children.get(name)!;
        if (child.type === "rules" && child.kind === "function") continue;
        this.nested(seg.loc, () => {
          const named = this.constOf({ kind: "string", value: name });
          this.stmt({ kind: "equal", a: key, b: named, loc: seg.loc });
          const constant: Term = { kind: "string", value: name, loc: seg.loc };
          this.planDataRef(
            [...path.slice(0, i), constant, ...path.slice(i + 1)],
            (v) => this.stmt({ kind: "assign", target: result, source: v, loc }),
            loc,
          );
        });
      }
      this.nested(seg.loc, () => {
        for (const name of names) this.stmt({ kind: "notEqual", a: key, b: this.constOf({ kind: "string", value: name }), loc: seg.loc });
        const below: Term[] = node.path.map((p) => ({ kind: "string", value: p, loc }) as Term);
        this.planPath(
          this.local(this.data),
          [...below, ...path.slice(i)],
          0,
          (v) => this.stmt({ kind: "assign", target: result, source: v, loc }),
          loc,
        );
      });
      this.stmt({ kind: "isDefined", local: result, loc });
      k(this.local(result));
    });
  }

  // ---- rule sets ------------------------------------------------------------------------------

  /** Binds a function's argument patterns to its parameters (locals 2…). */
  bindArgs(args: readonly Term[], k: () => void, loc: Location): void {
    const step = (i: number): void => {
      if (i === args.length) return k();
      const a = args[i];
      const param = this.local(2 + i);
      if (a.kind === "var") {
        if (!a.wildcard) {
          this.scope.declare(a.name);
          this.scope.bind(a.name, param);
        }
        return step(i + 1);
      }
      for (const n of termVars(a, new Set(), false)) this.scope.declare(n);
      this.destructure(a, param, () => step(i + 1), loc);
    };
    step(0);
  }

  /** Marks the head's variables as belonging to the body, so comprehensions wait for them. */
  noteHead(rule: Rule): void {
    const h = rule.head;
    for (const t of [...h.ref.slice(1), ...(h.key ? [h.key] : []), ...(h.value ? [h.value] : [])]) termVars(t, this.outerNames, false);
  }

  /** With coverage on: records, at run time, that the line of `loc` was reached (the call always succeeds). */
  coverHit(loc: Location): void {
    if (!this.program.coverage) return;
    this.program.hostBuiltinId(COVERAGE_BUILTIN);
    const r = this.newLocal();
    const args = [this.constOf({ kind: "string", value: loc.file }), this.constOf({ kind: "number", text: String(loc.line) })];
    this.stmt({ kind: "builtin", name: COVERAGE_BUILTIN, impl: "host", args, target: r, loc });
  }

  /** A rule's (or else clause's) body, its head line recorded as reached when the body succeeds (coverage). */
  planRuleBody(head: Location, body: Body, k: () => void): void {
    this.planBody(body, () => {
      this.coverHit(head);
      k();
    });
  }
}
