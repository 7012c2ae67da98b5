/**
 * The program lowerer: the program-wide state of lowering — the functions lowered so far, the constant pool,
 * the host built-ins called, memo ids — and the functions that are not a rule set's (documents of inner
 * nodes, entrypoints, queries).
 *
 * Rule functions are lowered on first reference (depth first), which is where the recursion check runs.
 */

import type { Body, Term } from "../ast";
import { CATALOGUE_LOOKUP, type BuiltinLookup } from "../builtin-catalog";
import type { CheckReporter } from "../check/checks";
import { RecursionCheck } from "../check/recursion";
import type { Location } from "../diagnostics";
import type { Constant, Func, Operand } from "../ir";
import type { RuleSet, RuleTree, TreeNode } from "../rule-tree";
import { bodyVars } from "../vars";
import { FunctionLowerer, type LoweringContext } from "./function-lowerer";
import { calleeMocks, isValueMock, mockKey, mockValueNames, NO_MOCKS, type MockEnv } from "./mocks";
import { lowerRuleSet } from "./rule-set";

/** What lowering needs besides the rule tree. */
export interface LowerRequest {
  /** Builtins the runtime implements; the rest are called through the host. */
  readonly runtimeBuiltins: ReadonlySet<string>;
  /** The builtins a policy may call (default: the whole catalogue). */
  readonly builtins?: BuiltinLookup;
  /** Instrument every body literal and rule head for coverage (test runs only). */
  readonly coverage?: boolean;
}

/** Program-wide lowering state: constants, functions, host builtins, memo ids, the recursion check. */
export class ProgramLowerer implements LoweringContext {
  readonly functions: Func[] = [];
  readonly constants: Constant[] = [];
  readonly hostBuiltins: string[] = [];
  private readonly constIndex = new Map<string, number>();
  private readonly funcNames = new Map<string, string>();
  private readonly recursion: RecursionCheck;
  /** Memo ids of rules and documents planned under mocks (`with` on functions or rules), past the tree's own ids. */
  private readonly mockedMemoIds = new Map<string, number>();
  private nextMemoId: number;
  /** The builtins this program may call. */
  readonly builtins: BuiltinLookup;
  readonly runtimeBuiltins: ReadonlySet<string>;
  readonly coverage: boolean;

  constructor(
    readonly tree: RuleTree,
    request: LowerRequest,
    readonly reporter: CheckReporter,
  ) {
    this.nextMemoId = maxTreeId(tree.root) + 1;
    this.builtins = request.builtins ?? CATALOGUE_LOOKUP;
    this.runtimeBuiltins = request.runtimeBuiltins;
    this.coverage = request.coverage === true;
    this.recursion = new RecursionCheck(reporter);
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
    if (this.recursion.isCycle(key, set, loc)) return known ?? key;
    if (known !== undefined) return known;
    this.funcNames.set(key, key);
    this.recursion.within(key, () => this.functions.push(lowerRuleSet(this, set, key, mocks)));
    return key;
  }

  /** The function building an inner node's document (its rules' values merged with base data). */
  docFunction(node: TreeNode, loc: Location, mocks: MockEnv = NO_MOCKS): string {
    const ctx = mockKey(mocks);
    const key = "doc:data" + node.path.map((p) => "." + p).join("") + (ctx === "" ? "" : ` with ${ctx}`);
    const known = this.funcNames.get(key);
    if (known !== undefined) return known;
    this.funcNames.set(key, key);
    const fp = new FunctionLowerer(this, null, key, `document data.${node.path.join(".")}`, 2 + mockValueNames(mocks).length, loc);
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
    const fp = new FunctionLowerer(this, null, fnName, `entrypoint ${name}`, 2, loc);
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
    const fp = new FunctionLowerer(this, null, fnName, `query ${name}`, 2, loc);
    const rs = fp.newLocal();
    fp.stmt({ kind: "makeSet", target: rs, loc });
    const names = [...bodyVars(body, new Set(), false)].filter((n) => !n.startsWith("$") && n !== "input" && n !== "data").sort();
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

/** The largest memo id the rule tree hands out. */
function maxTreeId(node: TreeNode): number {
  let max = node.id;
  for (const child of [...node.children.values(), ...node.dynamic]) {
    max = Math.max(max, child.type === "node" ? maxTreeId(child) : child.id);
  }
  return max;
}
