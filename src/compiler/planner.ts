/**
 * The planner: turns checked Rego (modules in a rule tree, plus entrypoints and queries) into the IR.
 *
 * Bodies are planned in continuation style, as OPA's planner does: planning a literal takes "the rest of the
 * body" as a callback and places it inside whatever blocks and scans the literal opened, so iteration
 * nests naturally and a failing statement abandons exactly the current path. Literals are reordered so that
 * every variable is bound before it is read; a literal that can never become ready is an unsafe-variable
 * error. Rule functions are planned on first reference, which is also where recursion is detected.
 */

import type { Body, CallTerm, Every, Expr, Module, Rule, SomeIn, Term, TermExpr, VarTerm, WithModifier } from "./ast";
import { CATALOGUE_LOOKUP, isRelation, type BuiltinLookup } from "./builtin-catalog";
import type { Diagnostics, Location } from "./diagnostics";
import type { Block, Constant, Entrypoint, Func, Local, Operand, Plan, Stmt } from "./ir";
import { type RuleSet, type RuleTree, type TreeNode, splitHeadRef } from "./rule-tree";
import { ValueType } from "./wasm/runtime-contract";
import { bodyVars, declaredVars, exprVars, isGround, termVars } from "./vars";

/** What to plan besides the rule tree. */
export interface PlanRequest {
  readonly entrypoints: readonly { readonly name: string; readonly path: readonly string[] }[];
  readonly queries: readonly { readonly name: string; readonly body: Body; readonly file: string }[];
  readonly strictBuiltinErrors: boolean;
  /** Builtins the runtime implements; the rest are called through the host. */
  readonly runtimeBuiltins: ReadonlySet<string>;
  /** The builtins a policy may call (default: the whole catalogue). */
  readonly builtins?: BuiltinLookup;
  /**
   * Coverage (`countersign test --coverage`): before each body literal, and when a rule body succeeds, a host
   * call of COVERAGE_BUILTIN(file, line) records that the line was reached. Off by default; never in bundles.
   */
  readonly coverage?: boolean;
}

/** The host builtin coverage instrumentation calls: `(file, line) → true`; the host records the hit. */
export const COVERAGE_BUILTIN = "countersign.coverage.hit";

const COMPARISONS: Readonly<Record<string, "lt" | "lte" | "gt" | "gte">> = { lt: "lt", lte: "lte", gt: "gt", gte: "gte" };

/** Plans the whole program; returns null when diagnostics were reported. */
export function plan(tree: RuleTree, request: PlanRequest, diags: Diagnostics): Plan | null {
  const program = new ProgramPlanner(tree, request, diags);
  const entrypoints: Entrypoint[] = [];
  for (const ep of request.entrypoints) entrypoints.push({ name: ep.name, func: program.entrypoint(ep.path, ep.name) });
  for (const q of request.queries) entrypoints.push({ name: q.name, func: program.query(q.name, q.body, q.file) });
  if (diags.hasErrors) return null;
  return {
    functions: program.functions,
    entrypoints,
    constants: program.constants,
    hostBuiltins: program.hostBuiltins,
    strictBuiltinErrors: request.strictBuiltinErrors,
  };
}

/** Program-wide planning state: constants, functions, host builtins, recursion stack. */
class ProgramPlanner {
  readonly functions: Func[] = [];
  readonly constants: Constant[] = [];
  readonly hostBuiltins: string[] = [];
  private readonly constIndex = new Map<string, number>();
  private readonly funcNames = new Map<string, string>();
  private readonly inProgress: string[] = [];
  /** Memo ids of rules and documents planned under mocks (`with` on functions or rules), past the tree's own ids. */
  private readonly mockedMemoIds = new Map<string, number>();
  private nextMemoId: number;
  /** The builtins this program may call. */
  readonly builtins: BuiltinLookup;

  constructor(
    readonly tree: RuleTree,
    readonly request: PlanRequest,
    readonly diags: Diagnostics,
  ) {
    this.nextMemoId = maxTreeId(tree.root) + 1;
    this.builtins = request.builtins ?? CATALOGUE_LOOKUP;
  }

  /** The memo id of a rule set or node planned under the mocks whose key is ctx (its own id without mocks). */
  memoId(id: number, ctx: string): number {
    if (ctx === "") return id;
    const key = `${id} ${ctx}`;
    let memo = this.mockedMemoIds.get(key);
    if (memo === undefined) {
      memo = this.nextMemoId++;
      this.mockedMemoIds.set(key, memo);
    }
    return memo;
  }

  /** Interns a constant and returns its id. */
  constant(c: Constant): number {
    const key = JSON.stringify(c);
    let id = this.constIndex.get(key);
    if (id === undefined) {
      id = this.constants.length;
      this.constants.push(c);
      this.constIndex.set(key, id);
    }
    return id;
  }

  /** The id a host builtin is called with, registering it on first use. */
  hostBuiltinId(name: string): number {
    let id = this.hostBuiltins.indexOf(name);
    if (id < 0) {
      id = this.hostBuiltins.length;
      this.hostBuiltins.push(name);
    }
    return id;
  }

  /**
   * The function computing a rule set's value, planned on first use. Under mocks (`with f as g`,
   * `with data.pkg.rule as v`) the rule set is planned again for those mocks, with its own memo id; mocks
   * by value become extra parameters after the arguments, in mockValueNames order.
   */
  ruleFunction(set: RuleSet, loc: Location, mocks: MockEnv = NO_MOCKS): string {
    const ctx = mockKey(mocks);
    const key = "data." + set.path.join(".") + (ctx === "" ? "" : ` with ${ctx}`);
    const known = this.funcNames.get(key);
    if (this.inProgress.includes(key)) {
      const cycle = [...this.inProgress.slice(this.inProgress.indexOf(key)), key].map((n) => n.split(" with ")[0]).join(" -> ");
      const rule = set.rules[0] ?? set.defaultRule;
      this.diags.add("rego_recursion_error", rule?.loc ?? loc, `rule data.${set.path.join(".")} is recursive: ${cycle}`);
      return known ?? key;
    }
    if (known !== undefined) return known;
    this.funcNames.set(key, key);
    this.inProgress.push(key);
    try {
      this.functions.push(planRuleSet(this, set, key, mocks));
    } finally {
      this.inProgress.pop();
    }
    return key;
  }

  /** The function building an inner node's document (its rules' values merged with base data). */
  docFunction(node: TreeNode, loc: Location, mocks: MockEnv = NO_MOCKS): string {
    const ctx = mockKey(mocks);
    const key = "doc:data" + node.path.map((p) => "." + p).join("") + (ctx === "" ? "" : ` with ${ctx}`);
    const known = this.funcNames.get(key);
    if (known !== undefined) return known;
    this.funcNames.set(key, key);
    const fp = new FunctionPlanner(this, null, key, `document data.${node.path.join(".")}`, 2 + mockValueNames(mocks).length, loc);
    fp.mocks = calleeMocks(mocks, 2);
    const memoId = this.memoId(node.id, ctx);
    const result = fp.newLocal();
    const hit = fp.newBlock();
    fp.inBlock(hit, () => {
      fp.stmt({ kind: "memoGet", id: memoId, target: result, loc });
      fp.stmt({ kind: "isDefined", local: result, loc });
      fp.stmt({ kind: "return", source: result, loc });
    });
    fp.stmt({ kind: "block", block: hit, loc });
    // The document is a node of the rule tree: the parts of rules with general ref heads merge into it.
    fp.stmt({ kind: "makeObject", target: result, tree: true, loc });
    const merging = fp.conflictMessage(loc, "object keys must be unique");
    for (const [name, child] of node.children) {
      if (child.type === "rules" && child.kind === "function") continue;
      const value = fp.newLocal();
      const b = fp.newBlock();
      fp.inBlock(b, () => {
        const field = fp.constOf({ kind: "string", value: name });
        const mock = child.type === "rules" ? fp.mocks.get(`data.${child.path.join(".")}`) : undefined;
        if (mock !== undefined && isValueMock(mock)) {
          fp.stmt({ kind: "objectInsert", object: result, key: field, value: mock.op, loc });
          return;
        }
        const fn = child.type === "rules" ? this.ruleFunction(child, loc, fp.mocks) : this.docFunction(child, loc, fp.mocks);
        fp.stmt({ kind: "call", func: fn, args: fp.callArgs([]), target: value, loc });
        const leaf = child.type === "rules" && child.kind === "complete";
        fp.stmt({ kind: "objectMergeAt", object: result, key: field, value: fp.local(value), leaf, message: merging, loc });
      });
      fp.stmt({ kind: "block", block: b, loc });
    }
    for (const set of node.dynamic) {
      const value = fp.newLocal();
      const b = fp.newBlock();
      fp.inBlock(b, () => {
        fp.stmt({ kind: "call", func: this.ruleFunction(set, loc, fp.mocks), args: fp.callArgs([]), target: value, loc });
        const key = fp.newLocal();
        const item = fp.newLocal();
        const each = fp.newBlock();
        fp.stmt({ kind: "scan", source: value, key, value: item, block: each, loc });
        const ruleLoc = (set.rules[0] ?? set.defaultRule)?.loc ?? loc;
        fp.inBlock(each, () =>
          fp.stmt({
            kind: "objectMergeAt",
            object: result,
            key: fp.local(key),
            value: fp.local(item),
            leaf: false,
            message: fp.conflictMessage(ruleLoc, "object keys must be unique"),
            loc,
          }),
        );
      });
      fp.stmt({ kind: "block", block: b, loc });
    }
    const base = fp.newBlock();
    fp.inBlock(base, () => {
      let cur: Operand = fp.local(1);
      for (const seg of node.path) {
        const t = fp.newLocal();
        fp.stmt({ kind: "dot", source: cur, key: fp.constOf({ kind: "string", value: seg }), target: t, loc });
        cur = fp.local(t);
      }
      fp.stmt({ kind: "merge", a: result, b: cur, target: result, loc });
    });
    fp.stmt({ kind: "block", block: base, loc });
    fp.stmt({ kind: "memoPut", id: memoId, source: result, loc });
    fp.stmt({ kind: "return", source: result, loc });
    this.functions.push(fp.finish());
    return key;
  }

  /** An entrypoint function: evaluates a data path into the result set [{"result": value}]. */
  entrypoint(path: readonly string[], name: string): string {
    const loc: Location = { file: "<entrypoint>", line: 1, col: 1 };
    const fnName = `entry:${name}`;
    const fp = new FunctionPlanner(this, null, fnName, `entrypoint ${name}`, 2, loc);
    const rs = fp.newLocal();
    fp.stmt({ kind: "makeSet", target: rs, loc });
    const b = fp.newBlock();
    fp.inBlock(b, () => {
      fp.planDataRef(
        path.map((p) => ({ kind: "string", value: p, loc }) as Term),
        (v) => {
          const obj = fp.newLocal();
          fp.stmt({ kind: "makeObject", target: obj, loc });
          fp.stmt({ kind: "objectInsert", object: obj, key: fp.constOf({ kind: "string", value: "result" }), value: v, loc });
          fp.stmt({ kind: "setAdd", collection: rs, value: fp.local(obj), loc });
        },
        loc,
      );
    });
    fp.stmt({ kind: "block", block: b, loc });
    fp.stmt({ kind: "return", source: rs, loc });
    this.functions.push(fp.finish());
    return fnName;
  }

  /** A query entrypoint: one object of variable bindings per solution. */
  query(name: string, body: Body, file: string): string {
    const loc: Location = body[0]?.loc ?? { file, line: 1, col: 1 };
    const fnName = `query:${name}`;
    const fp = new FunctionPlanner(this, null, fnName, `query ${name}`, 2, loc);
    const rs = fp.newLocal();
    fp.stmt({ kind: "makeSet", target: rs, loc });
    const names = [...bodyVars(body, new Set(), false)]
      .filter((n) => !n.startsWith("$") && n !== "input" && n !== "data")
      .sort();
    const b = fp.newBlock();
    fp.inBlock(b, () => {
      fp.planBody(body, () => {
        const obj = fp.newLocal();
        fp.stmt({ kind: "makeObject", target: obj, loc });
        for (const n of names) {
          const op = fp.scope.lookup(n);
          if (op === undefined) continue;
          fp.stmt({ kind: "objectInsert", object: obj, key: fp.constOf({ kind: "string", value: n }), value: op, loc });
        }
        fp.stmt({ kind: "setAdd", collection: rs, value: fp.local(obj), loc });
      });
    });
    fp.stmt({ kind: "block", block: b, loc });
    fp.stmt({ kind: "return", source: rs, loc });
    this.functions.push(fp.finish());
    return fnName;
  }
}

/** Variable bindings of one body, chained to the enclosing scope. */
class Scope {
  private readonly vars = new Map<string, Operand>();
  private readonly declared = new Set<string>();
  constructor(readonly parent: Scope | null) {}

  lookup(name: string): Operand | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
  bind(name: string, op: Operand): void {
    this.vars.set(name, op);
  }
  declare(name: string): void {
    this.declared.add(name);
  }
  isDeclared(name: string): boolean {
    return this.declared.has(name) || (this.parent?.isDeclared(name) ?? false);
  }
}

/** Where a reference starts. */
type RefRoot =
  | { readonly root: "input" | "data"; readonly path: readonly Term[] }
  | { readonly root: "value"; readonly head: Term; readonly path: readonly Term[] };

/** Plans one function: its locals, labels, blocks and the scopes of the bodies inside it. */
class FunctionPlanner {
  private locals: number;
  private labels = 0;
  readonly body: Block;
  private cur: Block;
  /** Locals currently holding `input` and `data` (they change under `with`). */
  input: Local = 0;
  data: Local = 1;
  /** Functions, built-ins and rules replaced by `with` here; replacing values are operands of this function. */
  mocks: MockEnv = NO_MOCKS;
  scope = new Scope(null);
  /** Variables of enclosing bodies: a comprehension must wait until those it mentions are bound. */
  private outerNames = new Set<string>();

  constructor(
    private readonly program: ProgramPlanner,
    private readonly module: Module | null,
    private readonly name: string,
    private readonly doc: string,
    private readonly params: number,
    private readonly loc: Location,
  ) {
    this.locals = params;
    this.body = this.newBlock();
    this.cur = this.body;
  }

  get diags(): Diagnostics {
    return this.program.diags;
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

  // ---- name resolution ------------------------------------------------------------------------

  /** What a free variable name means outside local bindings: input, data, an import, or a rule. */
  private globalRef(name: string, loc: Location): RefRoot | null {
    if (this.scope.isDeclared(name)) return null;
    if (name === "input") return { root: "input", path: [] };
    if (name === "data") return { root: "data", path: [] };
    const mod = this.module;
    if (mod === null) return null;
    for (const imp of mod.imports) {
      const p = imp.path;
      const segs: Term[] = p.kind === "ref" ? [...p.path] : [];
      const head = p.kind === "ref" ? p.head : p;
      if (head.kind !== "var" || (head.name !== "data" && head.name !== "input")) continue;
      const last = segs.length > 0 ? segs[segs.length - 1] : null;
      const importName = imp.alias ?? (last && last.kind === "string" ? last.value : head.name);
      if (importName === name) return { root: head.name as "input" | "data", path: segs };
    }
    const pkg = lookupNode(this.program.tree.root, mod.package);
    if (pkg && pkg.children.has(name)) {
      return { root: "data", path: [...mod.package, name].map((s) => ({ kind: "string", value: s, loc }) as Term) };
    }
    return null;
  }

  /** True when a variable has no value here: not bound, not a global name. */
  isUnbound(t: Term): boolean {
    return t.kind === "var" && this.scope.lookup(t.name) === undefined && this.globalRef(t.name, t.loc) === null;
  }

  private expandRef(t: Term): RefRoot {
    if (t.kind === "var") {
      const g = this.globalRef(t.name, t.loc);
      if (g && this.scope.lookup(t.name) === undefined) return g;
      return { root: "value", head: t, path: [] };
    }
    if (t.kind === "ref") {
      const inner = this.expandRef(t.head);
      if (inner.root === "value") return { root: "value", head: inner.head, path: [...inner.path, ...t.path] };
      return { root: inner.root, path: [...inner.path, ...t.path] };
    }
    return { root: "value", head: t, path: [] };
  }

  /** The rule set of a user function named as in a call (`f`, `data.a.f`, `imported.f`), if any. */
  private resolveFunction(name: string, loc: Location): RuleSet | null {
    const segs = name.split(".");
    const g = this.globalRef(segs[0], loc);
    if (g === null || g.root !== "data") return null;
    const path: string[] = [];
    for (const t of g.path) {
      if (t.kind !== "string") return null;
      path.push(t.value);
    }
    path.push(...segs.slice(1));
    let node: TreeNode | RuleSet = this.program.tree.root;
    for (const p of path) {
      if (node.type !== "node") return null;
      const next: TreeNode | RuleSet | undefined = node.children.get(p);
      if (next === undefined) return null;
      node = next;
    }
    return node.type === "rules" && node.kind === "function" ? node : null;
  }

  // ---- readiness (safety) ---------------------------------------------------------------------

  private producible(t: Term): boolean {
    switch (t.kind) {
      case "null":
      case "boolean":
      case "number":
      case "string":
        return true;
      case "var":
        return !this.isUnbound(t);
      case "ref": {
        const r = this.expandRef(t);
        if (r.root === "value" && !this.producible(r.head)) return false;
        return r.path.every((seg) => seg.kind === "var" || this.producible(seg) || this.patternable(seg));
      }
      case "array":
      case "set":
        return t.items.every((i) => this.producible(i));
      case "object":
        return t.entries.every(([k, v]) => this.producible(k) && this.producible(v));
      case "call":
        return t.args.every((a) => this.producible(a));
      case "arraycompr":
      case "setcompr":
      case "objectcompr":
        return [...termVars(t, new Set())].every((n) => !this.outerNames.has(n) || this.scope.lookup(n) !== undefined || this.globalRef(n, t.loc) !== null);
    }
  }

  private patternable(t: Term): boolean {
    if (t.kind === "var") return true;
    if (t.kind === "array") return t.items.every((i) => this.producible(i) || this.patternable(i));
    if (t.kind === "object") return t.entries.every(([k, v]) => this.producible(k) && (this.producible(v) || this.patternable(v)));
    return false;
  }

  private readyUnify(a: Term, b: Term): boolean {
    if (this.producible(a) && (this.producible(b) || this.patternable(b))) return true;
    if (this.patternable(a) && this.producible(b)) return true;
    if (a.kind === "array" && b.kind === "array" && a.items.length === b.items.length) {
      return a.items.every((x, i) => this.readyUnify(x, b.items[i]));
    }
    if (a.kind === "object" && b.kind === "object" && a.entries.length === b.entries.length) {
      return a.entries.every(([ka, va]) => {
        const match = b.entries.find(([kb]) => isGround(ka) && isGround(kb) && sameTerm(ka, kb));
        return match !== undefined && this.readyUnify(va, match[1]);
      });
    }
    return false;
  }

  private ready(e: Expr): boolean {
    switch (e.kind) {
      case "some":
        return true;
      case "somein":
        return this.producible(e.collection) && e.with.every((w) => this.withReady(w));
      case "every":
        return this.producible(e.domain) && e.with.every((w) => this.withReady(w));
      case "expr": {
        if (!e.with.every((w) => this.withReady(w))) return false;
        const t = e.term;
        if (e.negated) {
          return [...termVars(t, new Set(), false)].every((n) => n.startsWith("$") || this.scope.lookup(n) !== undefined || this.globalRef(n, t.loc) !== null);
        }
        if (t.kind === "call") {
          if (t.name === "eq" || t.name === "assign") return this.readyUnify(t.args[0], t.args[1]);
          const arity = this.arityOf(t);
          // An undefined function is reported when the call is planned, not as unsafe output variables.
          if (arity === undefined) return true;
          if (t.args.length === arity + 1) {
            const last = t.args[t.args.length - 1];
            return this.withRefOutputs(t.args.slice(0, -1), () => t.args.slice(0, -1).every((a) => this.producible(a)) && (this.producible(last) || this.patternable(last)));
          }
          return this.withRefOutputs(t.args, () => this.producible(t));
        }
        return this.producible(t);
      }
    }
  }

  /**
   * Runs check as if the variables that references among terms bind were bound: in `x == input.xs[x]`, the
   * lookup iterates and binds x, so the comparison can be planned (its arguments in that order, see planTerms).
   */
  private withRefOutputs(terms: readonly Term[], check: () => boolean): boolean {
    const outputs = new Set<string>();
    for (const t of terms) this.refOutputs(t, outputs);
    if (outputs.size === 0) return check();
    let ready = false;
    this.inScope(() => {
      for (const n of outputs) this.scope.bind(n, { kind: "const", id: -1 });
      ready = check();
    });
    return ready;
  }

  /** The unbound variables that iterating the references in t (outside comprehensions) binds. */
  private refOutputs(t: Term, out: Set<string>): void {
    switch (t.kind) {
      case "ref": {
        if (!this.producible(t)) return;
        for (const seg of this.expandRef(t).path) {
          if (seg.kind === "var" && this.isUnbound(seg)) out.add(seg.name);
        }
        return;
      }
      case "array":
      case "set":
        for (const i of t.items) this.refOutputs(i, out);
        return;
      case "object":
        for (const [k, v] of t.entries) {
          this.refOutputs(k, out);
          this.refOutputs(v, out);
        }
        return;
      case "call":
        for (const a of t.args) this.refOutputs(a, out);
        return;
      default:
        return;
    }
  }

  /** A `with` value is ready when it can be computed, or when it names the function replacing another. */
  private withReady(w: WithModifier): boolean {
    return (this.mockTarget(w.target) !== null && this.replacementOf(w.value) !== null) || this.producible(w.value);
  }

  /** The name a `with` target mocks (`count`, `http.send`, `data.pkg.f`), or null for input/data targets. */
  private mockTarget(t: Term): string | null {
    const r = this.expandRef(t);
    if (r.root === "data") {
      const path: string[] = [];
      for (const seg of r.path) {
        if (seg.kind !== "string") return null;
        path.push(seg.value);
      }
      const set = this.ruleSetAt(path);
      return set !== null && set.kind === "function" ? `data.${path.join(".")}` : null;
    }
    if (r.root !== "value") return null;
    const name = dottedName(t);
    if (name === null || this.scope.lookup(name.split(".")[0]) !== undefined) return null;
    return this.program.builtins.arity(name) !== undefined ? name : null;
  }

  /** The function or built-in a `with` value names (`as f`, `as data.pkg.f`, `as object.union_n`), if any. */
  private replacementOf(t: Term): Mock | null {
    const name = dottedName(t);
    if (name === null) return null;
    const head = name.split(".")[0];
    if (this.scope.lookup(head) !== undefined) return null;
    const fn = this.resolveFunction(name, t.loc);
    if (fn !== null) return { kind: "func", set: fn };
    if (this.globalRef(head, t.loc) === null && this.program.builtins.arity(name) !== undefined) return { kind: "builtin", name };
    return null;
  }

  private arityOf(t: CallTerm): number | undefined {
    const fn = this.resolveFunction(t.name, t.loc);
    return fn ? fn.arity : this.program.builtins.arity(t.name);
  }

  private reportUnsafe(e: Expr): void {
    const names = [...exprVarsShallow(e)].filter((n) => !n.startsWith("$") && this.isUnbound({ kind: "var", name: n, loc: e.loc }));
    if (names.length === 0) {
      this.diags.add("rego_unsafe_var_error", e.loc, "expression is unsafe");
      return;
    }
    for (const n of names.sort()) this.diags.add("rego_unsafe_var_error", e.loc, `var ${n} is unsafe`);
  }

  // ---- bodies ---------------------------------------------------------------------------------

  /** Plans a body, reordering literals for safety, then k inside the innermost block. */
  planBody(body: Body, k: () => void): void {
    this.checkReferencedAbove(body);
    for (const n of bodyVars(body, new Set(), false)) this.outerNames.add(n);
    for (const n of declaredVars(body)) this.scope.declare(n);
    this.planPending([...body], k);
  }

  /**
   * `x := …` is an error, as in OPA, when x was assigned by an earlier literal of the same body (or by `some
   * x in …`), is bound around the body, or was read by an earlier literal. "Earlier" is the order of the
   * source, not the order the literals are planned in: reordering for safety may bind x first.
   */
  private checkReferencedAbove(body: Body): void {
    const seen = new Set<string>();
    const assigned = new Set<string>();
    for (const e of body) {
      if (e.kind === "expr" && !e.negated && e.term.kind === "call" && e.term.name === "assign") {
        for (const n of termVars(e.term.args[0], new Set(), false)) {
          if (n.startsWith("$")) continue;
          if (assigned.has(n) || this.scope.lookup(n) !== undefined) {
            this.diags.add("rego_compile_error", e.loc, `var ${n} assigned above`);
          } else if (seen.has(n)) {
            this.diags.add("rego_compile_error", e.loc, `var ${n} referenced above`);
          }
          assigned.add(n);
        }
      } else if (e.kind === "somein") {
        for (const t of e.key === null ? [e.value] : [e.key, e.value]) termVars(t, assigned, false);
      }
      exprVars(e, seen, false);
    }
  }

  private planPending(pending: Expr[], k: () => void): void {
    if (pending.length === 0) return k();
    const idx = pending.findIndex((e) => this.ready(e));
    if (idx < 0) {
      this.reportUnsafe(pending[0]);
      return;
    }
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
   * and so do the rules it reaches, which are planned again for those mocks (see ProgramPlanner.ruleFunction)
   * so that the mocks hold however deep the rules nest.
   */
  private planWith(mods: readonly WithModifier[], loc: Location, inner: (k: () => void) => void, k: () => void): void {
    if (mods.length === 0) return inner(k);
    const docMods: WithModifier[] = [];
    const fnMods: { name: string; replacement: Mock | null; value: Term }[] = [];
    for (const m of mods) {
      const name = this.mockTarget(m.target);
      if (name === null) {
        docMods.push(m);
        continue;
      }
      if (name === "eq" || name === "assign" || name.startsWith("internal.") || name.startsWith("rego.metadata.")) {
        this.diags.add("rego_compile_error", m.loc, `with keyword replacing built-in function: replacement of "${name}" invalid`);
      } else if (!name.startsWith("data.") && isRelation(name)) {
        this.diags.add("rego_compile_error", m.loc, `with keyword replacing built-in function: target must not be a relation`);
      }
      fnMods.push({ name, replacement: this.replacementOf(m.value), value: m.value });
    }
    const valueMods = fnMods.filter((f) => f.replacement === null);
    this.planTerms(
      [...docMods.map((m) => m.value), ...valueMods.map((f) => f.value)],
      (values) => {
        let newInput = this.input;
        let newData = this.data;
        const newMocks = new Map(this.mocks);
        for (const f of fnMods) {
          newMocks.set(f.name, f.replacement ?? { kind: "value", op: values[docMods.length + valueMods.indexOf(f)] });
        }
        docMods.forEach((m, i) => {
          const target = this.expandRef(m.target);
          if (target.root === "value") {
            this.diags.add("rego_compile_error", m.loc, "not supported: with on a function or builtin");
            return;
          }
          const path: string[] = [];
          for (const seg of target.path) {
            if (seg.kind !== "string") {
              this.diags.add("rego_compile_error", m.loc, "with target path must be constant strings");
              return;
            }
            path.push(seg.value);
          }
          if (target.root === "input") {
            newInput = this.upsert(newInput, path, values[i], m.loc);
          } else {
            const hit = this.ruleAlong(path);
            if (hit === "exact-rule") newMocks.set(`data.${path.join(".")}`, { kind: "rule", op: values[i] });
            else if (hit === "base") newData = this.upsert(newData, path, values[i], m.loc);
            else this.diags.add("rego_compile_error", m.loc, `not supported: with on data.${path.join(".")}, which is above or below a rule`);
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
      },
    );
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

  /** Classifies a data path against the rule tree for `with`. */
  private ruleAlong(path: string[]): "exact-rule" | "base" | "unsupported" {
    let node: TreeNode | RuleSet = this.program.tree.root;
    for (let i = 0; i < path.length; i++) {
      if (node.type === "rules" || node.dynamic.length > 0) return "unsupported";
      const next: TreeNode | RuleSet | undefined = node.children.get(path[i]);
      if (next === undefined) return "base";
      node = next;
    }
    if (node.type === "rules") return node.kind === "function" ? "unsupported" : "exact-rule";
    return "unsupported";
  }

  private ruleSetAt(path: string[]): RuleSet | null {
    let node: TreeNode | RuleSet | undefined = this.program.tree.root;
    for (const p of path) {
      if (node === undefined || node.type !== "node") return null;
      node = node.children.get(p);
    }
    return node !== undefined && node.type === "rules" ? node : null;
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
          // assigned-above is checked in source order by checkReferencedAbove
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
          const arity = this.arityOf(t);
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
      this.nested(arg.loc, () => this.inScope(() => this.planTerm(arg, (op) => this.stmt({ kind: "assign", target: v, source: op, loc: arg.loc }))));
      this.nested(arg.loc, () => {
        this.stmt({ kind: "isUndefined", local: v, loc: arg.loc });
        this.stmt({ kind: "assign", target: v, source: this.constOf({ kind: "string", value: "<undefined>" }), loc: arg.loc });
      });
      return v;
    });
    if (this.program.request.runtimeBuiltins.has("internal.print")) {
      const arr = this.newLocal();
      this.stmt({ kind: "makeArray", target: arr, loc: t.loc });
      for (const v of values) this.stmt({ kind: "arrayAppend", collection: arr, value: this.local(v), loc: t.loc });
      const out = this.newLocal();
      this.nested(t.loc, () => this.stmt({ kind: "builtin", name: "internal.print", impl: "runtime", args: [this.local(arr)], target: out, loc: t.loc }));
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
    if (this.isUnbound(t)) return true;
    if (t.kind === "array") return t.items.some((i) => this.hasUnbound(i));
    if (t.kind === "object") return t.entries.some(([, v]) => this.hasUnbound(v));
    return false;
  }

  /** Unifies two terms, binding variables on either side, then continues with k. */
  unify(a: Term, b: Term, k: () => void, loc: Location): void {
    if (this.isUnbound(a) && this.isUnbound(b)) {
      this.diags.add("rego_unsafe_var_error", loc, `var ${(a as VarTerm).name} is unsafe`);
      return;
    }
    if (this.isUnbound(a)) return this.planTerm(b, (v) => (this.bind(a, v), k()));
    if (this.isUnbound(b)) return this.planTerm(a, (v) => (this.bind(b, v), k()));
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
      if (!isGround(ka)) return this.diags.add("rego_compile_error", loc, "not supported: unification of objects with variable keys");
      const match = b.entries.find(([kb]) => isGround(kb) && sameTerm(ka, kb));
      if (!match) return;
      pairs.push([va, match[1]]);
    }
    const step = (i: number): void => (i === pairs.length ? k() : this.unify(pairs[i][0], pairs[i][1], () => step(i + 1), loc));
    step(0);
  }

  /** Matches a pattern (with unbound variables) against a value, binding the variables. */
  destructure(pattern: Term, value: Operand, k: () => void, loc: Location): void {
    if (this.isUnbound(pattern)) {
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
      const i = pending.find((j) => this.producible(terms[j])) ?? pending[0];
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
        const g = this.globalRef(t.name, t.loc);
        if (g !== null) return this.planRefRoot(g, k, t.loc);
        this.diags.add("rego_unsafe_var_error", t.loc, `var ${t.name} is unsafe`);
        return;
      }
      case "ref":
        return this.planRefRoot(this.expandRef(t), k, t.loc);
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
                this.stmt({ kind: "objectInsertOnce", object: coll, key: kv, value: vv, message: this.conflictMessage(t.loc, "object keys must be unique"), loc: t.loc }),
              ),
            );
          } else {
            this.planTerm(t.term, (v) => this.stmt({ kind: t.kind === "arraycompr" ? "arrayAppend" : "setAdd", collection: coll, value: v, loc: t.loc }));
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
    const fn = this.resolveFunction(t.name, t.loc);
    if (fn !== null) {
      if (t.args.length !== fn.arity) {
        this.diags.add("rego_type_error", t.loc, `function data.${fn.path.join(".")} has arity ${fn.arity}, got ${t.args.length} arguments`);
        return;
      }
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
    if (arity === undefined) {
      this.diags.add("rego_type_error", t.loc, `undefined function ${t.name}`);
      return;
    }
    if (arity >= 0 && t.args.length !== arity) {
      this.diags.add("rego_type_error", t.loc, `${t.name}: arity mismatch: expected ${arity} arguments, got ${t.args.length}`);
      return;
    }
    if (t.name === "eq" || t.name === "assign") {
      this.diags.add("rego_compile_error", t.loc, `${t.name === "eq" ? "=" : ":="} cannot be used as a value`);
      return;
    }
    const mock = this.mocks.get(t.name);
    if (mock !== undefined) return this.planMockedCall(t, mock, k);
    const emit = this.builtinCall(t.name, arity, t.loc);
    if (emit !== null) this.planTerms(t.args, (ops) => emit(ops, k));
  }

  /** Checks that a built-in can be called here and returns what plans a call of it on planned arguments. */
  private builtinCall(name: string, arity: number, loc: Location): ((ops: Operand[], k: (op: Operand) => void) => void) | null {
    const runtime = this.program.request.runtimeBuiltins.has(name);
    if (!runtime) {
      if (arity < 0 || arity > 4) {
        this.diags.add("rego_compile_error", loc, `not supported: builtin ${name}`);
        return null;
      }
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
        if (arity >= 0 && arity !== t.args.length) {
          this.diags.add("rego_type_error", t.loc, `${t.name}: arity mismatch: replacement ${mock.name} takes ${arity} arguments, got ${t.args.length}`);
          return;
        }
        const call = this.builtinCall(mock.name, arity, t.loc);
        if (call === null) return;
        emit = call;
        break;
      }
      case "func": {
        if (mock.set.arity !== t.args.length) {
          this.diags.add("rego_type_error", t.loc, `${t.name}: arity mismatch: replacement data.${mock.set.path.join(".")} takes ${mock.set.arity} arguments, got ${t.args.length}`);
          return;
        }
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
    if (r.head.kind === "var" && this.scope.lookup(r.head.name) === undefined) {
      this.diags.add("rego_unsafe_var_error", r.head.loc, `var ${r.head.name} is unsafe`);
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
          this.diags.add("rego_type_error", seg.loc, `function data.${child.path.join(".")} must be called with arguments`);
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
    if ([...vars].some((n) => this.isUnbound({ kind: "var", name: n, loc: t.loc }))) return false;
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
          this.planDataRef([...path.slice(0, i), constant, ...path.slice(i + 1)], (v) => this.stmt({ kind: "assign", target: result, source: v, loc }), loc);
        });
      }
      this.nested(seg.loc, () => {
        for (const name of names) this.stmt({ kind: "notEqual", a: key, b: this.constOf({ kind: "string", value: name }), loc: seg.loc });
        const below: Term[] = node.path.map((p) => ({ kind: "string", value: p, loc }) as Term);
        this.planPath(this.local(this.data), [...below, ...path.slice(i)], 0, (v) => this.stmt({ kind: "assign", target: result, source: v, loc }), loc);
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
    if (this.program.request.coverage !== true) return;
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

/** Plans the function of one rule set by kind. */
function planRuleSet(program: ProgramPlanner, set: RuleSet, name: string, mocks: MockEnv): Func {
  const first = set.rules[0] ?? set.defaultRule!;
  const mod = set.modules.get(first)!;
  const ownParams = set.kind === "function" ? 2 + set.arity : 2;
  const params = ownParams + mockValueNames(mocks).length;
  const fp = new FunctionPlanner(program, mod, name, `${set.kind} data.${set.path.join(".")}`, params, first.loc);
  fp.mocks = calleeMocks(mocks, ownParams);
  const memoId = program.memoId(set.id, mockKey(mocks));
  const loc = first.loc;
  const result = fp.newLocal();
  const isFunction = set.kind === "function";

  if (!isFunction) {
    fp.nested(loc, () => {
      fp.stmt({ kind: "memoGet", id: memoId, target: result, loc });
      fp.stmt({ kind: "isDefined", local: result, loc });
      fp.stmt({ kind: "return", source: result, loc });
    });
  }

  const valueOf = (t: Term | null, at: Location): Term => t ?? { kind: "boolean", value: true, loc: at };
  const plainRules = set.rules.filter((r) => r.else === null);
  const constValues = plainRules.map((r) => valueOf(r.head.value, r.loc));
  const earlyExit =
    set.rules.every((r) => r.else === null) &&
    constValues.length > 0 &&
    constValues.every((v) => isGround(v) && JSON.stringify(stripLoc(v)) === JSON.stringify(stripLoc(constValues[0])));
  const conflictText = isFunction
    ? `functions must not produce multiple outputs for same inputs: function data.${set.path.join(".")} produced conflicting values for the same inputs`
    : `complete rules must not produce multiple outputs: rule data.${set.path.join(".")} produced conflicting values`;

  switch (set.kind) {
    case "partialSet":
      fp.stmt({ kind: "makeSet", target: result, tree: true, loc });
      for (const rule of set.rules) {
        fp.nested(rule.loc, () =>
          fp.inScope(() => {
            fp.noteHead(rule);
            fp.planRuleBody(rule.loc, rule.body, () => fp.planTerm(rule.head.key!, (v) => fp.stmt({ kind: "setAdd", collection: result, value: v, loc: rule.loc })));
          }),
        );
      }
      break;
    case "partialObject":
      // Each rule places its value (or, with `contains`, adds to a set) at the rest of its ref below the prefix.
      fp.stmt({ kind: "makeObject", target: result, tree: true, loc });
      for (const rule of set.rules) {
        const { rest } = splitHeadRef(rule.head.ref);
        const element = rule.head.contains ? rule.head.key! : valueOf(rule.head.value, rule.loc);
        fp.nested(rule.loc, () =>
          fp.inScope(() => {
            fp.noteHead(rule);
            fp.planRuleBody(rule.loc, rule.body, () =>
              fp.planTerms([...rest, element], (ops) => {
                const value = ops[ops.length - 1];
                const message = fp.conflictMessage(rule.loc, "object keys must be unique");
                if (rest.length === 1 && !rule.head.contains) {
                  fp.stmt({ kind: "objectInsertLeaf", object: result, key: ops[0], value, message, loc: rule.loc });
                  return;
                }
                const path = fp.newLocal();
                fp.stmt({ kind: "makeArray", target: path, loc: rule.loc });
                for (const op of ops.slice(0, -1)) fp.stmt({ kind: "arrayAppend", collection: path, value: op, loc: rule.loc });
                const kind = rule.head.contains ? "objectAddToSetAt" : "objectInsertPath";
                fp.stmt({ kind, object: result, path, value, message, loc: rule.loc });
              }),
            );
          }),
        );
      }
      break;
    case "complete":
    case "function": {
      const defs = fp.newBlock();
      fp.inBlock(defs, () => {
        for (const rule of set.rules) {
          const message = fp.conflictMessage(rule.loc, conflictText);
          if (rule.else === null) {
            fp.nested(rule.loc, () =>
              fp.inScope(() => {
                fp.noteHead(rule);
                const run = () =>
                  fp.planRuleBody(rule.loc, rule.body, () =>
                    fp.planTerm(valueOf(rule.head.value, rule.loc), (v) => {
                      fp.stmt({ kind: "assignOnce", result, value: v, message, loc: rule.loc });
                      if (earlyExit) fp.stmt({ kind: "break", label: defs.label, loc: rule.loc });
                    }),
                  );
                if (isFunction) fp.bindArgs(rule.head.args!, run, rule.loc);
                else run();
              }),
            );
            continue;
          }
          // An else chain: the first clause with a solution gives the chain's value.
          const chainValue = fp.newLocal();
          fp.stmt({ kind: "reset", target: chainValue, loc: rule.loc });
          const chain = fp.newBlock();
          fp.inBlock(chain, () => {
            const clauses: { body: Body; value: Term; loc: Location }[] = [{ body: rule.body, value: valueOf(rule.head.value, rule.loc), loc: rule.loc }];
            for (let e = rule.else; e !== null; e = e.else) clauses.push({ body: e.body, value: valueOf(e.value, e.loc), loc: e.loc });
            for (const clause of clauses) {
              fp.nested(clause.loc, () =>
                fp.inScope(() => {
                  fp.noteHead(rule);
                  const run = () =>
                    fp.planRuleBody(clause.loc, clause.body, () =>
                      fp.planTerm(clause.value, (v) => fp.stmt({ kind: "assignOnce", result: chainValue, value: v, message, loc: clause.loc })),
                    );
                  if (isFunction) fp.bindArgs(rule.head.args!, run, rule.loc);
                  else run();
                }),
              );
              // Every solution of the first clause that has one is checked for conflicts; later clauses are skipped.
              fp.nested(clause.loc, () => {
                fp.stmt({ kind: "isDefined", local: chainValue, loc: clause.loc });
                fp.stmt({ kind: "break", label: chain.label, loc: clause.loc });
              });
            }
          });
          fp.stmt({ kind: "block", block: chain, loc: rule.loc });
          fp.nested(rule.loc, () => {
            fp.stmt({ kind: "isDefined", local: chainValue, loc: rule.loc });
            fp.stmt({ kind: "assignOnce", result, value: fp.local(chainValue), message, loc: rule.loc });
          });
        }
      });
      fp.stmt({ kind: "block", block: defs, loc });
      const def = set.defaultRule;
      if (def !== null) {
        fp.nested(def.loc, () => {
          fp.stmt({ kind: "isUndefined", local: result, loc: def.loc });
          const v = valueOf(def.head.value, def.loc);
          if (!isGround(v)) {
            program.diags.add("rego_type_error", def.loc, `default rule data.${set.path.join(".")} must have a constant value`);
            return;
          }
          fp.stmt({ kind: "assign", target: result, source: { kind: "const", id: fp.groundConst(v) }, loc: def.loc });
        });
      }
      break;
    }
  }
  if (!isFunction) fp.stmt({ kind: "memoPut", id: memoId, source: result, loc });
  fp.stmt({ kind: "return", source: result, loc });
  return fp.finish();
}

/**
 * What replaces a mocked function or built-in (another built-in, a user function, or a value), or the value
 * replacing a whole rule (`with data.pkg.rule as v`). Values are operands of the function being planned.
 */
type Mock =
  | { readonly kind: "builtin"; readonly name: string }
  | { readonly kind: "func"; readonly set: RuleSet }
  | { readonly kind: "value"; readonly op: Operand }
  | { readonly kind: "rule"; readonly op: Operand };

/** The mocks in effect, by the mocked name (`count`, `data.pkg.f`). */
type MockEnv = ReadonlyMap<string, Mock>;

const NO_MOCKS: MockEnv = new Map();

/** Identifies a set of mocks for planning ("" for none); value mocks are told apart by name only. */
function mockKey(mocks: MockEnv): string {
  return [...mocks.keys()]
    .sort()
    .map((n) => {
      const m = mocks.get(n)!;
      return `${n} as ${m.kind === "builtin" ? m.name : m.kind === "func" ? `data.${m.set.path.join(".")}` : m.kind}`;
    })
    .join(", ");
}

/** The names of the mocks by value, in the order their values are passed to planned functions. */
function mockValueNames(mocks: MockEnv): string[] {
  return [...mocks.keys()].filter((n) => isValueMock(mocks.get(n)!)).sort();
}

function isValueMock(m: Mock): m is Mock & { kind: "value" | "rule" } {
  return m.kind === "value" || m.kind === "rule";
}

/** The mocks a replacing function runs under: no function mocks, only the replaced rules. */
function ruleMocksOnly(mocks: MockEnv): MockEnv {
  if (mocks.size === 0) return mocks;
  return new Map([...mocks].filter(([, m]) => m.kind === "rule"));
}

/** The same mocks inside a called function, whose value mocks arrive as parameters from `first` on. */
function calleeMocks(mocks: MockEnv, first: number): MockEnv {
  if (mocks.size === 0) return mocks;
  const out = new Map(mocks);
  mockValueNames(mocks).forEach((n, i) => out.set(n, { kind: mocks.get(n)!.kind as "value" | "rule", op: { kind: "local", local: first + i } }));
  return out;
}

/** `count` or `time.now_ns` or `data.pkg.f` as a dotted name; null for any other term. */
function dottedName(t: Term): string | null {
  if (t.kind === "var") return t.name;
  if (t.kind !== "ref" || t.head.kind !== "var") return null;
  const parts = [t.head.name];
  for (const seg of t.path) {
    if (seg.kind !== "string") return null;
    parts.push(seg.value);
  }
  return parts.join(".");
}

/** The largest memo id the rule tree hands out. */
function maxTreeId(node: TreeNode): number {
  let max = node.id;
  for (const child of [...node.children.values(), ...node.dynamic]) {
    max = Math.max(max, child.type === "node" ? maxTreeId(child) : child.id);
  }
  return max;
}

function lookupNode(root: TreeNode, path: readonly string[]): TreeNode | null {
  let node: TreeNode = root;
  for (const p of path) {
    const next = node.children.get(p);
    if (next === undefined || next.type !== "node") return null;
    node = next;
  }
  return node;
}

function exprVarsShallow(e: Expr): Set<string> {
  const out = new Set<string>();
  if (e.kind === "expr") termVars(e.term, out, false);
  else if (e.kind === "somein") termVars(e.collection, out, false);
  else if (e.kind === "every") termVars(e.domain, out, false);
  return out;
}

/** True when two terms are the same, ignoring locations. */
function sameTerm(a: Term, b: Term): boolean {
  return JSON.stringify(stripLoc(a)) === JSON.stringify(stripLoc(b));
}

/** A term without locations, for structural comparison. */
function stripLoc(t: Term): unknown {
  return JSON.parse(JSON.stringify(t, (k, v) => (k === "loc" ? undefined : v)));
}
