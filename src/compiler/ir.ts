/**
 * The planner's intermediate representation: functions made of labelled blocks of statements.
 *
 * Execution model. A function runs its body block. Statements run in order; a statement that "fails"
 * (its value is undefined, a check is false) exits the innermost enclosing block, and execution continues
 * after that block. Reaching the end of a block normally also continues after it. `break` exits the named
 * enclosing block. A scan runs its block once per element of a collection. Planned in continuation style,
 * the rest of a rule body always sits inside the innermost block, so "falling out" of a block means "no more
 * solutions on this path". Locals hold value addresses (0 = undefined); locals 0 and 1 of every planned
 * function are `input` and `data`.
 *
 * Plain data: printable by ir-printer.ts and dumpable as JSON.
 */

import type { Location } from "./diagnostics";
import type { ValueTypeCode } from "./value-type";

/** A local variable index. */
export type Local = number;

/** An operand: a local, or a constant from the plan's constant pool. */
export type Operand = { readonly kind: "local"; readonly local: Local } | { readonly kind: "const"; readonly id: number };

/** A constant value, built once when the module starts. */
export type Constant =
  | { readonly kind: "null" }
  | { readonly kind: "boolean"; readonly value: boolean }
  | { readonly kind: "number"; readonly text: string }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "array"; readonly items: readonly number[] }
  | { readonly kind: "object"; readonly entries: readonly (readonly [number, number])[] }
  | { readonly kind: "set"; readonly items: readonly number[] };

/** A block of statements with a label that `break` can name. */
export interface Block {
  readonly label: string;
  readonly stmts: Stmt[];
}

interface At {
  readonly loc: Location;
}

/** Every statement. Each comment says what it does at run time, including when it fails. */
export type Stmt =
  /** Runs a nested block; whatever happens inside, execution continues after it. */
  | (At & { readonly kind: "block"; readonly block: Block })
  /** Exits the enclosing block named `label`. */
  | (At & { readonly kind: "break"; readonly label: string })
  /** For each element of `source` (array, object or set; nothing for other values), sets key/value and runs the block. */
  | (At & { readonly kind: "scan"; readonly source: Local; readonly key: Local | null; readonly value: Local; readonly block: Block })
  /** target := operand. Never fails. */
  | (At & { readonly kind: "assign"; readonly target: Local; readonly source: Operand })
  /** target := 0 (undefined). Never fails. */
  | (At & { readonly kind: "reset"; readonly target: Local })
  /** Fails when the local is undefined. */
  | (At & { readonly kind: "isDefined"; readonly local: Local })
  /** Fails when the local is defined. */
  | (At & { readonly kind: "isUndefined"; readonly local: Local })
  /** Fails when the operand is the boolean false. */
  | (At & { readonly kind: "notFalse"; readonly source: Operand })
  /** Fails unless a == b (Rego equality). */
  | (At & { readonly kind: "equal"; readonly a: Operand; readonly b: Operand })
  /** Fails when a == b. */
  | (At & { readonly kind: "notEqual"; readonly a: Operand; readonly b: Operand })
  /** Fails unless compare(a, b) satisfies op. */
  | (At & { readonly kind: "compare"; readonly op: "lt" | "lte" | "gt" | "gte"; readonly a: Operand; readonly b: Operand })
  /** Fails unless the operand's type code is `type` (and, when given, its length is `length`). */
  | (At & { readonly kind: "isType"; readonly source: Operand; readonly type: ValueTypeCode; readonly length?: number })
  /** target := source[key]; fails when absent. */
  | (At & { readonly kind: "dot"; readonly source: Operand; readonly key: Operand; readonly target: Local })
  /** target := func(args…) for a planned function; fails when the result is undefined. */
  | (At & { readonly kind: "call"; readonly func: string; readonly args: readonly Operand[]; readonly target: Local })
  /**
   * target := builtin(args…), implemented in the runtime or by the host; fails when undefined. In strict mode
   * a builtin error aborts the evaluation with this statement's location.
   */
  | (At & {
      readonly kind: "builtin";
      readonly name: string;
      readonly impl: "runtime" | "host";
      readonly args: readonly Operand[];
      readonly target: Local;
    })
  /**
   * target := a new empty array / object / set. Never fails. With `tree`, the object or set is a node of a
   * rule document (a package, a ref-head prefix, a partial set or object): such nodes merge where rules meet.
   */
  | (At & { readonly kind: "makeArray" | "makeObject" | "makeSet"; readonly target: Local; readonly tree?: boolean })
  /** Appends to an array or adds to a set. Never fails. */
  | (At & { readonly kind: "arrayAppend" | "setAdd"; readonly collection: Local; readonly value: Operand })
  /** object[key] := value, replacing. Never fails. */
  | (At & { readonly kind: "objectInsert"; readonly object: Local; readonly key: Operand; readonly value: Operand })
  /** object[key] := value; aborts with `message` (eval_conflict_error) when the key holds a different value. */
  | (At & {
      readonly kind: "objectInsertOnce";
      readonly object: Local;
      readonly key: Operand;
      readonly value: Operand;
      readonly message: string;
    })
  /** Places a rule's value at object[key]; aborts with `message` (eval_conflict_error) when a different value is there. */
  | (At & {
      readonly kind: "objectInsertLeaf";
      readonly object: Local;
      readonly key: Operand;
      readonly value: Operand;
      readonly message: string;
    })
  /**
   * Places a rule's value at a key path (an array local) below object, creating document nodes on the way;
   * aborts with `message` when a different value is there or a rule's value is in the way.
   */
  | (At & {
      readonly kind: "objectInsertPath";
      readonly object: Local;
      readonly path: Local;
      readonly value: Operand;
      readonly message: string;
    })
  /**
   * Adds value to the set of `contains` rules at a key path (an array local) below object, creating the set and
   * the nodes on the way; aborts with `message` when a rule's value is in the way or at the path.
   */
  | (At & {
      readonly kind: "objectAddToSetAt";
      readonly object: Local;
      readonly path: Local;
      readonly value: Operand;
      readonly message: string;
    })
  /**
   * Merges a part of a document (a node, or with `leaf` a rule's value) into object[key]: nodes merge, sets of
   * `contains` rules join, anything else must be equal; aborts with `message` on a conflict. Never fails.
   */
  | (At & {
      readonly kind: "objectMergeAt";
      readonly object: Local;
      readonly key: Operand;
      readonly value: Operand;
      readonly leaf: boolean;
      readonly message: string;
    })
  /** target := deep merge of a and b (a's keys win); fails when they collide with non-objects. */
  | (At & { readonly kind: "merge"; readonly a: Local; readonly b: Operand; readonly target: Local })
  /** target := copy of root with value at path (an array local). Never fails. */
  | (At & { readonly kind: "upsert"; readonly root: Local; readonly path: Local; readonly value: Operand; readonly target: Local })
  /** When `result` is defined and differs from `value`, aborts with `message`; then result := value. */
  | (At & { readonly kind: "assignOnce"; readonly result: Local; readonly value: Operand; readonly message: string })
  /** target := memoised value for id in the top frame (0 when none). Never fails. */
  | (At & { readonly kind: "memoGet"; readonly id: number; readonly target: Local })
  /** Memoises a defined local under id in the top frame (no-op when undefined). Never fails. */
  | (At & { readonly kind: "memoPut"; readonly id: number; readonly source: Local })
  /** Pushes / pops a memo frame around `with`. Never fails. */
  | (At & { readonly kind: "memoPush" | "memoPop" })
  /** Returns the local from the function. */
  | (At & { readonly kind: "return"; readonly source: Local });

/** A planned function. Locals 0..params-1 are parameters (0: input, 1: data, then arguments). */
export interface Func {
  readonly name: string;
  /** Rego path or description, for printing and traces. */
  readonly doc: string;
  readonly params: number;
  locals: number;
  readonly body: Block;
  readonly loc: Location;
}

/** An entrypoint: a name listed by `entrypoints()` and the function that evaluates it to a result set. */
export interface Entrypoint {
  readonly name: string;
  readonly func: string;
}

/** The whole plan for one module. */
export interface Plan {
  readonly functions: readonly Func[];
  readonly entrypoints: readonly Entrypoint[];
  readonly constants: readonly Constant[];
  /** Builtins called through the host, in id order. */
  readonly hostBuiltins: readonly string[];
  /** Whether builtin errors abort evaluation. */
  readonly strictBuiltinErrors: boolean;
}
