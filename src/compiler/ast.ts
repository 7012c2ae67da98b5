/**
 * The Rego abstract syntax tree: what the parser produces and the checker and planner consume.
 *
 * Plain, serialisable data: every node is a discriminated union member on `kind` and carries the location
 * of its first token. Operators are calls with OPA's internal names (`eq`, `assign`, `plus`, …), so the later
 * stages handle `x + 1` and `plus(x, 1)` the same way.
 */

import type { Location } from "./diagnostics";

interface Node {
  readonly loc: Location;
}

/** `null` */
export interface NullTerm extends Node {
  readonly kind: "null";
}
/** `true` / `false` */
export interface BooleanTerm extends Node {
  readonly kind: "boolean";
  readonly value: boolean;
}
/** A number literal, kept as its source text so large integers survive. */
export interface NumberTerm extends Node {
  readonly kind: "number";
  readonly text: string;
}
/** A string literal (quoted or raw), unescaped. */
export interface StringTerm extends Node {
  readonly kind: "string";
  readonly value: string;
}
/**
 * A variable. Each `_` in the source becomes a distinct wildcard named `$<n>` (never a valid identifier, so
 * it cannot clash), with `wildcard: true`. Template strings bring variables named `$tpl<n>` (see CallTerm).
 */
export interface VarTerm extends Node {
  readonly kind: "var";
  readonly name: string;
  readonly wildcard?: boolean;
}
/**
 * A reference: a head term followed by a path. `input.a[x].b` has head `var input` and path
 * `string "a", var x, string "b"`; `data.p.q` has head `var data`.
 */
export interface RefTerm extends Node {
  readonly kind: "ref";
  readonly head: Term;
  readonly path: readonly Term[];
}
/** `[a, b]` */
export interface ArrayTerm extends Node {
  readonly kind: "array";
  readonly items: readonly Term[];
}
/** `{k: v, …}` (and `{}`, which is always an empty object). */
export interface ObjectTerm extends Node {
  readonly kind: "object";
  readonly entries: readonly (readonly [Term, Term])[];
}
/** `{a, b}` and `set()`. */
export interface SetTerm extends Node {
  readonly kind: "set";
  readonly items: readonly Term[];
}
/**
 * A call. `name` is the operator's internal name or the dotted function reference as written
 * (`count`, `strings.any_prefix_match`, `data.ex.f`, `f`). Operators map to:
 * `=` eq, `:=` assign, `==` equal, `!=` neq, `<` lt, `<=` lte, `>` gt, `>=` gte, `+` plus, `-` minus,
 * `*` mul, `/` div, `%` rem, `&` and, `|` or, `x in xs` internal.member_2, `k, v in xs` internal.member_3,
 * unary `-x` minus(0, x) is folded by the parser into a negative number literal when x is a number.
 * A template string `$"a{x}"` is `internal.template_string(["a", {$tpl0 | $tpl0 = x}])` (see the parser).
 */
export interface CallTerm extends Node {
  readonly kind: "call";
  readonly name: string;
  readonly args: readonly Term[];
}
/** `[term | body]` */
export interface ArrayComprehension extends Node {
  readonly kind: "arraycompr";
  readonly term: Term;
  readonly body: Body;
}
/** `{term | body}` */
export interface SetComprehension extends Node {
  readonly kind: "setcompr";
  readonly term: Term;
  readonly body: Body;
}
/** `{key: value | body}` */
export interface ObjectComprehension extends Node {
  readonly kind: "objectcompr";
  readonly key: Term;
  readonly value: Term;
  readonly body: Body;
}

/** Any term. */
export type Term =
  | NullTerm
  | BooleanTerm
  | NumberTerm
  | StringTerm
  | VarTerm
  | RefTerm
  | ArrayTerm
  | ObjectTerm
  | SetTerm
  | CallTerm
  | ArrayComprehension
  | SetComprehension
  | ObjectComprehension;

/** `with <target> as <value>`; target is a ref rooted at `input` or `data`, or a function/builtin name. */
export interface WithModifier extends Node {
  readonly target: RefTerm | VarTerm;
  readonly value: Term;
}

/** A body literal that is a term or call, optionally negated with `not`. */
export interface TermExpr extends Node {
  readonly kind: "expr";
  readonly negated: boolean;
  readonly term: Term;
  readonly with: readonly WithModifier[];
}
/** `some x, y` (declares local variables). */
export interface SomeDecl extends Node {
  readonly kind: "some";
  readonly vars: readonly VarTerm[];
}
/** `some v in xs` or `some k, v in xs`; key and value may be patterns (any term). */
export interface SomeIn extends Node {
  readonly kind: "somein";
  readonly key: Term | null;
  readonly value: Term;
  readonly collection: Term;
  readonly with: readonly WithModifier[];
}
/** `every v in xs { body }` or `every k, v in xs { body }` */
export interface Every extends Node {
  readonly kind: "every";
  readonly key: VarTerm | null;
  readonly value: VarTerm;
  readonly domain: Term;
  readonly body: Body;
  readonly with: readonly WithModifier[];
}

/** One literal of a rule body or query. */
export type Expr = TermExpr | SomeDecl | SomeIn | Every;

/** A rule body or query: literals joined by `;` or newlines. */
export type Body = readonly Expr[];

/**
 * A rule head. `ref` is the rule's name with any ref extension, relative to the package: `p` is
 * `[string "p"]`, `a.b[x]` is `[string "a", string "b", var x]`.
 *
 * - complete rule: `p := v` / `p = v` / `p if …` (value null: true); `contains` false, `key` null, `args` null
 * - partial set: `p contains x` → `contains: true`, `key: x`, `value: null`; in Rego v0 also `p[x] { … }`,
 *   `p.q { … }` and `p[x]` standing alone
 * - partial object / ref head: `p[k] := v`, `a.b.c := v`: the ref carries the key(s), `value` set; in Rego v0
 *   `a.b.c` standing alone has value null (true)
 * - function: `f(x, y) := v` → `args` set; `f(x)` standing alone has value null (true)
 */
export interface RuleHead extends Node {
  readonly ref: readonly Term[];
  readonly args: readonly Term[] | null;
  readonly key: Term | null;
  readonly value: Term | null;
  readonly contains: boolean;
  /** true for `:=`, false for `=` or no value. */
  readonly assign: boolean;
}

/** `else [:= value] [if] { body }` attached to a rule. */
export interface ElseClause extends Node {
  readonly value: Term | null;
  readonly body: Body;
  readonly else: ElseClause | null;
}

/** One rule definition. A rule with no body (`p := 1`) has the body `[true]` with the rule's location. */
export interface Rule extends Node {
  readonly kind: "rule";
  readonly default: boolean;
  readonly head: RuleHead;
  readonly body: Body;
  readonly else: ElseClause | null;
  /** The module file, for messages. */
  readonly file: string;
}

/** `import data.a.b as c`, `import input.x`, `import rego.v1`, `import future.keywords.in`. */
export interface Import extends Node {
  readonly path: RefTerm | VarTerm;
  readonly alias: string | null;
}

/**
 * The Rego syntax a module is read with: 1 (OPA 1.x, `if`/`contains`/`in`/`every` always keywords, bodies
 * after `if`) or 0 (OPA 0.x: `p { … }`, `p[x] { … }`, keywords only through `future.keywords` imports).
 */
export type RegoVersion = 0 | 1;

/** A parsed `.rego` file. `package` is the path below `data` (`package a.b` → `["a", "b"]`). */
export interface Module {
  readonly file: string;
  /**
   * The syntax the module was read with: the version asked for, except that a v0 module importing
   * `rego.v1` is read as v1.
   */
  readonly regoVersion: RegoVersion;
  readonly package: readonly string[];
  readonly packageLoc: Location;
  readonly imports: readonly Import[];
  readonly rules: readonly Rule[];
}
