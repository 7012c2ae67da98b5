/**
 * The Rego parser: turns a module, a query or a single term into the AST of `ast.ts`, in Rego v1 syntax or,
 * for modules, in Rego v0 syntax (`ParseOptions.regoVersion`).
 *
 * A hand-written recursive-descent parser over the lexer's tokens, with one function per grammar rule and
 * the rule written above it. Layout matters in two places, as in OPA: the parts of a reference or call
 * (`a.b`, `a[b]`, `f(x)`) must touch, and a line break ends a literal once it is complete. Inside brackets,
 * parentheses and collection braces line breaks are ignored; a trailing operator carries the expression on
 * to the next line, and so does a leading one that could not start a literal (every binary operator except
 * `-`, and `with`, `else`, `in`).
 *
 * Operator precedence, loosest first, follows OPA's parser: `:=` / `=` (only at the top of a literal),
 * `in`, comparisons, `|`, `&`, `+` / `-`, `*` / `/` / `%`, unary `-`.
 *
 * Problems are recorded in the caller's Diagnostics as `rego_parse_error` where they are found. The parser
 * then abandons the rule (or query literal) it was in and resumes at the next line that starts in column 1,
 * so one run reports several errors; any error makes the result null.
 *
 * Rego v0, as OPA 1.x reads it with `--v0-compatible`: `if`, `contains`, `in` and `every` are ordinary names
 * unless the module imports them (`import future.keywords.in`, `import future.keywords` for all four); a body
 * may follow a head without `if` (`p { … }`, `f(x) = y { … }`), also several in a row (`p { a } { b }`); a
 * head `p[x]` or `p.q` without a value and without `if` is a partial set (`p contains x`); a head of three
 * or more parts standing alone (`a.b.c`) has the value true. A v0 module that imports `rego.v1` is read as
 * v1 from there on. In both versions a function head standing alone (`f(x)`) has the value true, as in OPA.
 */

import type {
  Body,
  RegoVersion,
  CallTerm,
  ElseClause,
  Every,
  Expr,
  Import,
  Module,
  RefTerm,
  Rule,
  RuleHead,
  Term,
  TermExpr,
  VarTerm,
  WithModifier,
} from "./ast";
import { Diagnostics, type Location } from "./diagnostics";
import { tokenize, type Token } from "./lexer";

/** How to read a module. */
export interface ParseOptions {
  /** The Rego syntax (default 1); a v0 module may still switch itself to v1 with `import rego.v1`. */
  readonly regoVersion?: RegoVersion;
}

/** Parses a whole `.rego` module; null if it has errors (which are added to `diags`). */
export function parseModule(file: string, text: string, diags: Diagnostics, opts: ParseOptions = {}): Module | null {
  return run(file, text, diags, (p) => p.module(), opts.regoVersion ?? 1);
}

/** Parses a query (literals separated by `;` or new lines), as in `data.test.p = x`; null on errors. */
export function parseQuery(file: string, text: string, diags: Diagnostics): Body | null {
  return run(file, text, diags, (p) => p.query());
}

/** Parses a single term, such as an `input_term` of a test case (`{"foo": 1}`); null on errors. */
export function parseTerm(file: string, text: string, diags: Diagnostics): Term | null {
  return run(file, text, diags, (p) => p.singleTerm());
}

/** Lexes and parses, then hands the caller's `diags` this run's problems in source order. */
function run<T>(file: string, text: string, diags: Diagnostics, parse: (p: Parser) => T, version: RegoVersion = 1): T | null {
  const found = new Diagnostics();
  const result = parse(new Parser(file, tokenize(file, text, found), found, version));
  const ordered = [...found.items].sort((a, b) => a.line - b.line || a.col - b.col);
  for (const d of ordered) diags.add(d.code, d, d.message);
  return ordered.length > 0 ? null : result;
}

/**
 * Words that cannot be rule or variable names in Rego v1. `contains` is a keyword only in rule heads;
 * elsewhere it names the built-in function, as in `contains(s, "x")`.
 */
const KEYWORDS: ReadonlySet<string> = new Set([
  "as",
  "contains",
  "default",
  "else",
  "every",
  "if",
  "import",
  "in",
  "not",
  "package",
  "some",
  "with",
]);

/** The keywords of Rego v0 before any `future.keywords` import. */
const V0_KEYWORDS: ReadonlySet<string> = new Set(["as", "default", "else", "import", "not", "package", "some", "with"]);

/** Words that are scalar literals. */
const LITERAL_WORDS = new Set(["null", "true", "false"]);

/** A binary operator: its internal call name and binding strength (higher binds tighter). */
interface BinaryOperator {
  readonly name: string;
  readonly prec: number;
}

/** The binary operators by token. */
const BINARY_OPERATORS: ReadonlyMap<string, BinaryOperator> = new Map([
  ["==", { name: "equal", prec: 1 }],
  ["!=", { name: "neq", prec: 1 }],
  ["<", { name: "lt", prec: 1 }],
  ["<=", { name: "lte", prec: 1 }],
  [">", { name: "gt", prec: 1 }],
  [">=", { name: "gte", prec: 1 }],
  ["|", { name: "or", prec: 2 }],
  ["&", { name: "and", prec: 3 }],
  ["+", { name: "plus", prec: 4 }],
  ["-", { name: "minus", prec: 4 }],
  ["*", { name: "mul", prec: 5 }],
  ["/", { name: "div", prec: 5 }],
  ["%", { name: "rem", prec: 5 }],
]);

/**
 * The head of a comprehension (`[x * 2 | …]`) may use the operators that bind tighter than `|`. OPA takes
 * only a plain term there and reads `[a * 2 | b]` as an array holding `(a * 2) | b`; accepting the wider
 * head lets the common `[x * 2 | some x in xs]` through, at the price of that rare reading.
 */
const COMPREHENSION_HEAD_PREC = 3;

/** `import future.keywords.<name>` names that exist; all of them are always on in v1. */
const FUTURE_KEYWORDS: ReadonlySet<string> = new Set(["contains", "every", "if", "in"]);

/** Deeper nesting than this is reported rather than risking the call stack. */
const MAX_NESTING = 400;

/** Unwinds the parser to the enclosing rule or query literal after a diagnostic has been recorded. */
class ParseAbort {}
const ABORT = new ParseAbort();

function isAbort(e: unknown): e is ParseAbort {
  return e instanceof ParseAbort;
}

/**
 * How a token reads in a message: `'}' token`, `'if' keyword`, `end of input`, … A word that is a keyword
 * in v1 but not in the module being read (v0 without the import) says how to make it one.
 */
function describeToken(t: Token, keywords: ReadonlySet<string>): string {
  switch (t.kind) {
    case "eof":
      return "end of input";
    case "punct":
      return `'${t.text}' token`;
    case "number":
      return `number ${t.text}`;
    case "string": {
      const firstLine = t.text.split("\n")[0]!;
      return `string ${firstLine.length > 24 || firstLine !== t.text ? `${firstLine.slice(0, 20)}...` : t.text}`;
    }
    case "ident":
      if (keywords.has(t.text)) return `'${t.text}' keyword`;
      if (FUTURE_KEYWORDS.has(t.text)) return `identifier '${t.text}' (${notAKeyword(t.text)})`;
      if (LITERAL_WORDS.has(t.text)) return `'${t.text}' literal`;
      return `identifier '${t.text}'`;
    case "invalid":
      return `character '${t.text}'`;
    case "template":
      return "template string";
  }
}

/** Why a v1 keyword is a plain name in a v0 module, and how to make it a keyword. */
function notAKeyword(word: string): string {
  return `'${word}' is not a keyword in Rego v0 unless imported: add \`import future.keywords.${word}\` or \`import rego.v1\``;
}

/** True for a string that could be written after a dot in a reference. */
function isIdentifier(s: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(s);
}

class Parser {
  private pos = 0;
  private wildcards = 0;
  /** Counts the variables generated for template-string expressions (`$tpl<n>`). */
  private templateVars = 0;
  private nesting = 0;
  /** Whether a line break ends the expression being parsed: true in bodies and at module level. */
  private newlineEnds = true;
  /** The syntax being read; a v0 module importing `rego.v1` turns to 1. */
  private version: RegoVersion;
  /** The words that are keywords here: all of KEYWORDS in v1; in v0 those of V0_KEYWORDS and the imported ones. */
  private keywords: Set<string>;
  /** In a v0 module: whether it imported `future.keywords…`, or `rego.v1` (which excludes the former). */
  private futureImported = false;
  private regoV1Imported = false;

  constructor(
    private readonly file: string,
    private tokens: readonly Token[],
    private readonly diags: Diagnostics,
    version: RegoVersion,
  ) {
    this.version = version;
    this.keywords = new Set(version === 1 ? KEYWORDS : V0_KEYWORDS);
  }

  // ---------------------------------------------------------------------------------------------------
  // Entry points

  // module = package { import } { rule }
  module(): Module {
    let pkg: string[] = [];
    const packageLoc = this.loc(this.peek());
    const imports: Import[] = [];
    const rules: Rule[] = [];

    try {
      pkg = this.packageDecl();
      this.expectLineEnd();
    } catch (e) {
      this.recoverToRule(e, 0);
    }

    while (this.peek().kind !== "eof") {
      const ruleStart = this.pos;
      try {
        const t = this.peek();
        if (this.isKeyword(t, "import")) {
          if (rules.length > 0) this.report(t, "imports must come before rules");
          imports.push(this.importDecl());
        } else if (this.isKeyword(t, "package")) {
          this.fail(t, "unexpected 'package' keyword: a module has a single package declaration, at the top");
        } else {
          rules.push(...this.rule());
        }
        this.expectLineEnd();
      } catch (e) {
        this.recoverToRule(e, ruleStart);
      }
    }
    return { file: this.file, regoVersion: this.version, package: pkg, packageLoc, imports, rules };
  }

  // query = literal { ( ";" | newline ) literal }
  query(): Body {
    const literals: Expr[] = [];
    while (this.peek().kind !== "eof") {
      try {
        literals.push(this.literal());
        if (this.acceptPunct(";")) continue;
        const t = this.peek();
        if (t.kind !== "eof" && !t.newlineBefore) this.fail(t, `unexpected ${this.describe(t)}, expected ';' or a new line`);
      } catch (e) {
        this.recoverToLiteral(e);
      }
    }
    if (this.tokens.length === 1) this.report(this.peek(), "empty query");
    return literals;
  }

  // single-term = expr-in
  singleTerm(): Term | null {
    try {
      const term = this.withNewlines(false, () => this.exprIn(false));
      const t = this.peek();
      if (t.kind !== "eof") this.fail(t, `unexpected ${this.describe(t)}, expected end of input`);
      return term;
    } catch (e) {
      if (!isAbort(e)) throw e;
      return null;
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Package, imports, rules

  // package = "package" path-ref
  private packageDecl(): string[] {
    const t = this.peek();
    if (!this.isKeyword(t, "package")) this.fail(t, `unexpected ${this.describe(t)}, expected 'package' declaration`);
    this.next();
    return this.pathRef("package").map((part) => part.value);
  }

  // import = "import" path-ref [ "as" var ]
  private importDecl(): Import {
    const importTok = this.next();
    const parts = this.pathRef("import");
    const root = parts[0]!;
    const dotted = parts.map((p) => p.value).join(".");
    let alias: string | null = null;
    if (this.isKeyword(this.peek(), "as")) {
      this.next();
      const a = this.peek();
      if (a.kind !== "ident" || this.keywords.has(a.text) || LITERAL_WORDS.has(a.text)) {
        this.fail(a, `unexpected ${this.describe(a)}, expected an alias name after 'as'`);
      }
      this.next();
      alias = a.text;
    }

    switch (root.value) {
      case "data":
      case "input":
        break;
      case "rego":
        if (dotted !== "rego.v1") {
          const v0 =
            dotted === "rego.v0"
              ? "; a module is read as Rego v0 with --v0-compatible, or with rego_version 0 in the bundle's .manifest"
              : "";
          this.fail(root.token, `invalid import '${dotted}': the only rego import is rego.v1${v0}`);
        }
        if (alias !== null) this.fail(root.token, "rego.v1 cannot be imported with an alias");
        if (this.version === 0) {
          if (this.futureImported) this.fail(root.token, "the rego.v1 import implies future.keywords: a v0 module cannot import both");
          this.version = 1;
          this.keywords = new Set(KEYWORDS);
          this.regoV1Imported = true;
        }
        break;
      case "future":
        if (parts[1]?.value !== "keywords" || parts.length > 3 || (parts.length === 3 && !FUTURE_KEYWORDS.has(parts[2]!.value))) {
          this.fail(root.token, `invalid import '${dotted}': expected future.keywords or future.keywords.<keyword>`);
        }
        if (alias !== null) this.fail(root.token, "future.keywords imports cannot have an alias");
        if (this.regoV1Imported) this.fail(root.token, "the rego.v1 import implies future.keywords: a v0 module cannot import both");
        if (this.version === 0) {
          this.futureImported = true;
          for (const word of parts.length === 3 ? [parts[2]!.value] : FUTURE_KEYWORDS) this.keywords.add(word);
        }
        break;
      default:
        this.fail(root.token, `invalid import path '${dotted}': must begin with data or input`);
    }

    const head: VarTerm = { kind: "var", name: root.value, loc: this.loc(root.token) };
    const path: RefTerm | VarTerm =
      parts.length === 1
        ? head
        : {
            kind: "ref",
            head,
            path: parts.slice(1).map((p) => ({ kind: "string", value: p.value, loc: this.loc(p.token) })),
            loc: head.loc,
          };
    return { path, alias, loc: this.loc(importTok) };
  }

  // path-ref = var { "." var | "[" string "]" }        (parts touch: no blanks between them)
  private pathRef(what: string): { value: string; token: Token }[] {
    const first = this.peek();
    if (first.kind !== "ident" || this.keywords.has(first.text) || LITERAL_WORDS.has(first.text)) {
      this.fail(first, `unexpected ${this.describe(first)}, expected ${what} path`);
    }
    this.next();
    const parts = [{ value: first.text, token: first }];
    for (;;) {
      const t = this.peek();
      if (t.spaceBefore || t.kind !== "punct") break;
      if (t.text === ".") {
        this.next();
        const name = this.peek();
        if (name.kind !== "ident" || name.spaceBefore) this.fail(name, `unexpected ${this.describe(name)}, expected a name after '.'`);
        this.next();
        parts.push({ value: name.text, token: name });
      } else if (t.text === "[") {
        this.next();
        const key = this.peek();
        if (key.kind !== "string") this.fail(key, `unexpected ${this.describe(key)}, expected a string in ${what} path`);
        this.next();
        this.expectPunct("]");
        parts.push({ value: key.value, token: key });
      } else {
        break;
      }
    }
    return parts;
  }

  // rule         = default-rule | rule-head [ rule-body ]
  // default-rule = "default" rule-ref [ "(" args ")" ] ( ":=" | "=" ) term
  // rule-head    = rule-ref [ "(" args ")" ] [ "contains" term | ( ":=" | "=" ) term ]
  // rule-body    = "if" if-body { else-clause } { "{" query "}" }
  //              | "{" query "}" { else-clause } { "{" query "}" }        (Rego v0 only)
  //
  // A head needs a value, `contains` or a body, except a function head, whose value is then true (`f(x)`).
  // In v0 a head without any of them also stands alone when it is a ref: `p[x]` / `p.q` is a partial set,
  // `a.b.c` has the value true (OPA reads these as rules too). Every body after the first (`p { a } { b }`)
  // makes one more rule with the same head. A v0-style body without `if` in a v1 module is reported as such.
  private rule(): Rule[] {
    const start = this.peek();
    const isDefault = this.isKeyword(start, "default");
    if (isDefault) this.next();

    const refStart = this.peek();
    const headStart = this.pos;
    let ref = this.ruleRef();
    const name = refStart.text;
    let args: Term[] | null = null;
    const paren = this.peek();
    if (this.isPunct(paren, "(") && !paren.spaceBefore) {
      this.next();
      args = this.withNewlines(false, () => this.termList(")"));
    }

    let key: Term | null = null;
    let value: Term | null = null;
    let contains = false;
    let assign = false;
    const op = this.peek();
    if (this.isKeyword(op, "contains")) {
      if (isDefault) this.fail(op, "default rules cannot use 'contains'");
      if (args !== null) this.fail(op, "'contains' cannot be used with a function head");
      this.next();
      key = this.exprIn(false);
      contains = true;
    } else if (this.isPunct(op, ":=") || this.isPunct(op, "=")) {
      this.next();
      assign = op.text === ":=";
      value = this.exprIn(true);
    } else if (op.kind === "ident" && !op.newlineBefore && (op.text === "contains" || op.text === "if") && !this.keywords.has(op.text)) {
      this.fail(op, `unexpected identifier '${op.text}' after rule head '${name}': ${notAKeyword(op.text)}`);
    }

    const ruleLoc = this.loc(start);
    if (isDefault) {
      const head: RuleHead = { ref, args, key, value, contains, assign, loc: this.loc(refStart) };
      if (value === null) this.fail(start, `default rule '${name}' must have a value: default ${name} := <value>`);
      const after = this.peek();
      if (this.isKeyword(after, "if") || (this.isPunct(after, "{") && !after.newlineBefore)) {
        this.fail(after, "default rules cannot have a body");
      }
      return [{ kind: "rule", default: true, head, body: trueBody(ruleLoc), else: null, file: this.file, loc: ruleLoc }];
    }

    const what = args === null ? "rule" : "function";
    let body: Body | null = null;
    let hasIf = false;
    const ifTok = this.peek();
    if (this.isKeyword(ifTok, "if")) {
      this.next();
      hasIf = true;
      body = this.ifBody();
    } else if (this.isPunct(ifTok, "{") && (this.version === 0 || !ifTok.newlineBefore)) {
      if (this.version === 1) {
        const written = this.sourceText(headStart, this.pos);
        const partialSet = ref.length === 2 && value === null && !contains && args === null;
        let v1 = `${written} if { … }`;
        if (partialSet) {
          const keyTerm = ref[1]!;
          const bracket = this.isPunct(this.tokens[this.pos - 1]!, "]");
          const keyText = bracket ? this.sourceText(keyTerm, this.pos - 1) : JSON.stringify((keyTerm as { value?: string }).value);
          v1 = `${name} contains ${keyText} if { … }`;
        }
        this.fail(
          ifTok,
          `\`if\` keyword is required before ${what} body: '${written} { … }' is ${partialSet ? "a Rego v0 partial set rule" : "Rego v0 syntax"}, ` +
            `'${v1}' in v1; or read the module as Rego v0 (--v0-compatible)`,
        );
      }
      this.next();
      body = this.body("}");
    }

    // Rego v0: `p[x]` and `p.q` without `if` (with a body or standing alone) are partial sets.
    if (this.version === 0 && !hasIf && !contains && value === null && args === null && ref.length === 2) {
      key = ref[1]!;
      ref = [ref[0]!];
      contains = true;
    }

    if (body === null && value === null && !contains && args === null) {
      const t = this.peek();
      if (t.kind !== "eof" && !t.newlineBefore) this.fail(t, `unexpected ${this.describe(t)}, expected ':=', '=', 'contains' or 'if'`);
      if (ref.length === 1) {
        const follow = this.version === 1 ? "':=', '=', 'contains' or 'if'" : "'=', ':=' or a body in braces";
        this.fail(refStart, `rule head '${name}' must be followed by ${follow}`);
      }
      if (this.version === 1 && ref.length === 2) {
        this.fail(
          refStart,
          `\`contains\` keyword is required for partial set rules: write '${name} contains <value>' (a head 'p[x]' or 'p.q' standing alone is Rego v0 syntax)`,
        );
      }
      if (this.version === 1) {
        this.fail(
          refStart,
          `rule must have value assignment and/or body declaration: write '… := <value>' or '… if { … }' (a ref head standing alone is Rego v0 syntax)`,
        );
      }
    }
    const head: RuleHead = { ref, args, key, value, contains, assign, loc: this.loc(refStart) };

    const elses: { tok: Token; value: Term | null; body: Body }[] = [];
    while (this.isKeyword(this.peek(), "else")) {
      const elseTok = this.peek();
      if (body === null) this.fail(elseTok, "'else' must follow a rule body");
      if (contains) this.fail(elseTok, "'else' cannot be used on multi-value rules");
      if (ref.some((t) => t.kind !== "string")) this.fail(elseTok, "'else' cannot be used on rules with variables in the head");
      elses.push(this.elseClause());
    }
    const deferred = args === null ? [] : this.deferTemplateArgs(args);
    let elseChain: ElseClause | null = null;
    for (let i = elses.length - 1; i >= 0; i--) {
      const e = elses[i]!;
      elseChain = { value: e.value, body: [...e.body, ...deferred], else: elseChain, loc: this.loc(e.tok) };
    }

    const rules: Rule[] = [
      {
        kind: "rule",
        default: false,
        head,
        body: [...(body ?? trueBody(ruleLoc)), ...deferred],
        else: elseChain,
        file: this.file,
        loc: ruleLoc,
      },
    ];
    // rule-body continued: `{ a } { b }` defines the rule once per body, as OPA does.
    while (body !== null && this.isPunct(this.peek(), "{")) {
      const open = this.next();
      if (elseChain !== null) this.fail(open, "expected 'else' keyword: a rule with 'else' cannot have further bodies");
      const more = this.body("}");
      const loc = this.loc(open);
      rules.push({ kind: "rule", default: false, head: { ...head, loc }, body: [...more, ...deferred], else: null, file: this.file, loc });
    }
    return rules;
  }

  // rule-ref = var { "." var | "[" expr-in "]" }        (parts touch: no blanks between them)
  private ruleRef(): Term[] {
    const first = this.peek();
    if (first.kind !== "ident" || this.keywords.has(first.text) || LITERAL_WORDS.has(first.text) || first.text === "_") {
      this.fail(first, `unexpected ${this.describe(first)}, expected a rule name`);
    }
    this.next();
    const ref: Term[] = [{ kind: "string", value: first.text, loc: this.loc(first) }];
    for (;;) {
      const part = this.refPart();
      if (part === null) break;
      ref.push(part);
    }
    return ref;
  }

  // ref-part = "." var | "[" expr-in "]"   (touching the part before it; null when the next token starts neither)
  private refPart(): Term | null {
    const t = this.peek();
    if (t.spaceBefore || t.kind !== "punct") return null;
    if (t.text === ".") {
      this.next();
      const name = this.peek();
      if (name.kind !== "ident" || name.spaceBefore) this.fail(name, `unexpected ${this.describe(name)}, expected a name after '.'`);
      this.next();
      return { kind: "string", value: name.text, loc: this.loc(name) };
    }
    if (t.text === "[") {
      this.next();
      const key = this.withNewlines(false, () => this.exprIn(false));
      this.expectPunct("]");
      return key;
    }
    return null;
  }

  // if-body = "{" query "}" | literal
  // As in OPA, a brace that does not open a query opens the literal's term instead: `if {x: 1 | true}`.
  private ifBody(): Body {
    if (!this.isPunct(this.peek(), "{")) return this.withNewlines(true, () => [this.literal()]);
    const start = this.pos;
    const state = { wildcards: this.wildcards, nesting: this.nesting, newlineEnds: this.newlineEnds, diags: this.diags.items.length };
    const rewind = () => {
      this.pos = start;
      this.wildcards = state.wildcards;
      this.nesting = state.nesting;
      this.newlineEnds = state.newlineEnds;
      this.diags.items.splice(state.diags);
    };
    try {
      this.next();
      return this.body("}");
    } catch (e) {
      if (!isAbort(e)) throw e;
    }
    rewind();
    try {
      return this.withNewlines(true, () => [this.literal()]);
    } catch (e) {
      if (!isAbort(e)) throw e;
    }
    // Neither reading works: report the query's error, the likelier intent.
    rewind();
    this.next();
    return this.body("}");
  }

  // else-clause = "else" [ ( ":=" | "=" ) term ] [ "if" if-body | "{" query "}" ]
  private elseClause(): { tok: Token; value: Term | null; body: Body } {
    const tok = this.next();
    let value: Term | null = null;
    const op = this.peek();
    if (this.isPunct(op, ":=") || this.isPunct(op, "=")) {
      this.next();
      value = this.exprIn(true);
    }
    let body: Body;
    if (this.isKeyword(this.peek(), "if")) {
      this.next();
      body = this.ifBody();
    } else if (this.acceptPunct("{")) {
      body = this.body("}");
    } else {
      body = trueBody(this.loc(tok));
    }
    return { tok, value, body };
  }

  // ---------------------------------------------------------------------------------------------------
  // Bodies and literals

  // body = literal { ( ";" | newline ) literal } close        (the opening token is already consumed)
  private body(close: string): Body {
    return this.withNewlines(true, () => {
      const first = this.peek();
      if (this.isPunct(first, close)) this.fail(first, "found empty body");
      this.enter(first);
      const literals: Expr[] = [];
      for (;;) {
        literals.push(this.literal());
        const t = this.peek();
        if (this.isPunct(t, ";")) {
          this.next();
          if (!this.acceptPunct(close)) continue;
          this.nesting--;
          return literals;
        }
        if (this.isPunct(t, close)) {
          this.next();
          this.nesting--;
          return literals;
        }
        if (t.kind === "eof") this.fail(t, `unexpected end of input, expected '${close}'`);
        if (!t.newlineBefore) this.fail(t, `unexpected ${this.describe(t)}, expected ';', a new line or '${close}'`);
      }
    });
  }

  // literal = ( some-decl | every | [ "not" ] expr ) { with-modifier }
  private literal(): Expr {
    const start = this.peek();
    if (this.isKeyword(start, "some")) return this.someDecl();
    if (this.isKeyword(start, "every")) return this.every();
    if (start.kind === "ident" && start.text === "every" && !this.keywords.has("every")) {
      const after = this.tokens[this.pos + 1]!;
      if (after.kind === "ident" && !after.newlineBefore) this.fail(start, `unexpected identifier 'every': ${notAKeyword("every")}`);
    }
    const negated = this.isKeyword(start, "not");
    if (negated) this.next();
    const term = this.expr();
    const expr: TermExpr = { kind: "expr", negated, term, with: this.withModifiers(), loc: this.loc(start) };
    return expr;
  }

  // some-decl = "some" var { "," var }
  //           | "some" term [ "," term ] "in" term-rel { with-modifier }
  private someDecl(): Expr {
    const someTok = this.next();
    const loc = this.loc(someTok);
    const terms = [this.binary(1)];
    while (this.acceptPunct(",")) terms.push(this.binary(1));
    const inTok = this.peek();
    if (this.isKeyword(inTok, "in")) {
      if (terms.length > 2) this.fail(inTok, "'some ... in' takes a value or a key and a value before 'in'");
      this.next();
      const collection = this.binary(1);
      if (this.isKeyword(this.peek(), "in")) this.fail(this.peek(), "unexpected 'in' keyword: 'some ... in' takes one collection");
      const key = terms.length === 2 ? terms[0]! : null;
      const value = terms[terms.length - 1]!;
      return { kind: "somein", key, value, collection, with: this.withModifiers(), loc };
    }
    const vars: VarTerm[] = [];
    for (const t of terms) {
      if (t.kind !== "var") this.failAt(t.loc, `expected a variable in 'some' declaration, found ${t.kind}`);
      vars.push(t);
    }
    return { kind: "some", vars, loc };
  }

  // every = "every" var [ "," var ] "in" term-rel "{" query "}" { with-modifier }
  private every(): Every {
    const everyTok = this.next();
    const first = this.binary(1);
    const second = this.acceptPunct(",") ? this.binary(1) : null;
    const inTok = this.peek();
    if (!this.isKeyword(inTok, "in")) this.fail(inTok, `unexpected ${this.describe(inTok)}, expected 'in' in 'every'`);
    this.next();
    const domain = this.binary(1);
    const brace = this.peek();
    if (!this.isPunct(brace, "{")) this.fail(brace, `unexpected ${this.describe(brace)}, expected '{' to start the 'every' body`);
    this.next();
    const body = this.body("}");
    const vars = second === null ? [first] : [first, second];
    for (const v of vars) {
      if (v.kind !== "var") this.failAt(v.loc, `expected a variable in 'every', found ${v.kind}`);
    }
    return {
      kind: "every",
      key: second === null ? null : (first as VarTerm),
      value: (second ?? first) as VarTerm,
      domain,
      body,
      with: this.withModifiers(),
      loc: this.loc(everyTok),
    };
  }

  // with-modifier = "with" term "as" expr-in
  private withModifiers(): WithModifier[] {
    const mods: WithModifier[] = [];
    while (this.isKeyword(this.peek(), "with")) {
      const withTok = this.next();
      const targetTok = this.peek();
      const target = this.postfix();
      if (!(target.kind === "var" && !target.wildcard) && !(target.kind === "ref" && target.head.kind === "var")) {
        this.fail(targetTok, "'with' target must be a reference such as input.x, data.x or a function name");
      }
      const asTok = this.peek();
      if (!this.isKeyword(asTok, "as")) this.fail(asTok, `unexpected ${this.describe(asTok)}, expected 'as'`);
      this.next();
      const value = this.exprIn(false);
      mods.push({ target, value, loc: this.loc(withTok) });
    }
    return mods;
  }

  // ---------------------------------------------------------------------------------------------------
  // Expressions, loosest first

  // expr = expr-in [ ( ":=" | "=" ) expr-in ]
  private expr(): Term {
    const lhs = this.exprIn(true);
    const op = this.peek();
    if (this.isPunct(op, ":=") || this.isPunct(op, "=")) {
      this.next();
      const rhs = this.exprIn(true);
      return call(op.text === ":=" ? "assign" : "eq", [lhs, rhs], lhs.loc);
    }
    return lhs;
  }

  // expr-in = term-rel [ "," term-rel ] "in" term-rel { "in" term-rel } | term-rel
  //
  // The key/value form is only tried where a comma cannot mean anything else (`keyValue`): at the top of a
  // literal or rule value, not inside arrays, sets, objects or call arguments.
  private exprIn(keyValue: boolean, first?: Term): Term {
    let lhs = this.binary(1, first);
    if (keyValue && this.isPunct(this.peek(), ",")) {
      this.next();
      const value = this.binary(1);
      const inTok = this.peek();
      if (!this.isKeyword(inTok, "in")) this.fail(inTok, `unexpected ${this.describe(inTok)}, expected 'in' after 'key, value'`);
      this.next();
      const collection = this.binary(1);
      lhs = call("internal.member_3", [lhs, value, collection], lhs.loc);
    }
    while (this.isKeyword(this.peek(), "in")) {
      this.next();
      const collection = this.binary(1);
      lhs = call("internal.member_2", [lhs, collection], lhs.loc);
    }
    return lhs;
  }

  // term-rel    = term-or { ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) term-or }
  // term-or     = term-and { "|" term-and }
  // term-and    = term-arith { "&" term-arith }
  // term-arith  = term-factor { ( "+" | "-" ) term-factor }
  // term-factor = unary { ( "*" | "/" | "%" ) unary }
  //
  // One precedence-climbing loop covers these levels; all are left-associative. `first`, when given, is an
  // already-parsed left operand (used where a comprehension was ruled out after its head term).
  private binary(minPrec: number, first?: Term): Term {
    let lhs = first ?? this.unary();
    for (;;) {
      const op = this.binaryOperator();
      if (op === null || op.prec < minPrec) return lhs;
      this.next();
      const rhs = this.binary(op.prec + 1);
      lhs = call(op.name, [lhs, rhs], lhs.loc);
    }
  }

  /** The binary operator at the current token, unless there is none or a line break ends the expression. */
  private binaryOperator(): BinaryOperator | null {
    const t = this.peek();
    if (t.kind !== "punct") return null;
    const op = BINARY_OPERATORS.get(t.text);
    if (op === undefined) return null;
    // A `-` that starts a line starts a new literal (`-1 < x`), where line breaks are significant.
    if (t.text === "-" && t.newlineBefore && this.newlineEnds) return null;
    return op;
  }

  // unary = "-" unary | postfix
  private unary(): Term {
    const t = this.peek();
    if (!this.isPunct(t, "-")) return this.postfix();
    this.next();
    this.enter(t);
    const operand = this.unary();
    this.nesting--;
    if (operand.kind === "number" && !operand.text.startsWith("-")) {
      return { kind: "number", text: `-${operand.text}`, loc: this.loc(t) };
    }
    return call("minus", [{ kind: "number", text: "0", loc: this.loc(t) }, operand], this.loc(t));
  }

  // postfix  = primary { "." var | "[" expr-in "]" | "(" [ expr-in { "," expr-in } [ "," ] ] ")" }
  //            (each part touches the one before; only vars, collections, comprehensions and calls take parts)
  private postfix(): Term {
    const start = this.peek();
    this.enter(start);
    let head = this.primary();
    let path: Term[] = [];
    if (refable(head)) {
      for (;;) {
        const part = this.refPart();
        if (part !== null) {
          path.push(part);
          continue;
        }
        const t = this.peek();
        if (t.spaceBefore || t.kind !== "punct" || t.text !== "(") break;
        head = this.callArgs(head, path, t);
        path = [];
      }
    }
    this.nesting--;
    return path.length === 0 ? head : { kind: "ref", head, path, loc: head.loc };
  }

  // call = name "(" [ expr-in { "," expr-in } [ "," ] ] ")"        (and `set()`, the empty set)
  private callArgs(head: Term, path: readonly Term[], paren: Token): Term {
    const name = calleeName(head, path);
    if (name === null) this.fail(paren, "invalid call: a function is called by name, as in f(x), a.b.f(x) or data.p.f(x)");
    this.next();
    const args = this.withNewlines(false, () => this.termList(")"));
    if (name === "set" && args.length === 0) return { kind: "set", items: [], loc: head.loc };
    return call(name, args, head.loc);
  }

  // primary = scalar | var | array | object | set | comprehension | "(" expr-in ")"
  private primary(): Term {
    const t = this.peek();
    const loc = this.loc(t);
    switch (t.kind) {
      case "number":
        this.next();
        return { kind: "number", text: t.text, loc };
      case "string":
        this.next();
        return { kind: "string", value: t.value, loc };
      case "template":
        this.next();
        return this.template(t);
      case "ident":
        if (this.keywords.has(t.text) && t.text !== "contains") break;
        this.next();
        if (t.text === "null") return { kind: "null", loc };
        if (t.text === "true" || t.text === "false") return { kind: "boolean", value: t.text === "true", loc };
        if (t.text === "_") return { kind: "var", name: `$${this.wildcards++}`, wildcard: true, loc };
        return { kind: "var", name: t.text, loc };
      case "punct":
        if (t.text === "[") return this.arrayOrComprehension();
        if (t.text === "{") return this.braceTerm();
        if (t.text === "(") {
          this.next();
          const inner = this.withNewlines(false, () => this.exprIn(false));
          this.expectPunct(")");
          return inner;
        }
        break;
      case "eof":
        break;
    }
    return this.fail(t, `unexpected ${this.describe(t)}, expected term`);
  }

  // array       = "[" [ expr-in { "," expr-in } [ "," ] ] "]"
  // array-compr = "[" compr-head "|" query "]"
  // compr-head  = term-and        (see COMPREHENSION_HEAD_PREC)
  private arrayOrComprehension(): Term {
    const open = this.next();
    const loc = this.loc(open);
    return this.withNewlines(false, () => {
      if (this.acceptPunct("]")) return { kind: "array", items: [], loc };
      const head = this.binary(COMPREHENSION_HEAD_PREC);
      if (this.acceptPunct("|")) return { kind: "arraycompr", term: head, body: this.body("]"), loc };
      const items = [this.exprIn(false, head)];
      if (this.acceptPunct(",")) items.push(...this.termList("]"));
      else this.expectPunct("]");
      return { kind: "array", items, loc };
    });
  }

  // object       = "{" [ expr-in ":" expr-in { "," expr-in ":" expr-in } [ "," ] ] "}"
  // set          = "{" expr-in { "," expr-in } [ "," ] "}"
  // set-compr    = "{" compr-head "|" query "}"
  // object-compr = "{" expr-in ":" compr-head "|" query "}"
  private braceTerm(): Term {
    const open = this.next();
    const loc = this.loc(open);
    return this.withNewlines(false, () => {
      if (this.acceptPunct("}")) return { kind: "object", entries: [], loc };
      const firstHead = this.binary(COMPREHENSION_HEAD_PREC);
      if (this.acceptPunct("|")) return { kind: "setcompr", term: firstHead, body: this.body("}"), loc };
      const first = this.exprIn(false, firstHead);

      if (!this.acceptPunct(":")) {
        const items = [first];
        if (this.acceptPunct(",")) items.push(...this.termList("}"));
        else this.expectPunct("}");
        return { kind: "set", items, loc };
      }

      const valueHead = this.binary(COMPREHENSION_HEAD_PREC);
      if (this.acceptPunct("|")) return { kind: "objectcompr", key: first, value: valueHead, body: this.body("}"), loc };
      const entries: (readonly [Term, Term])[] = [[first, this.exprIn(false, valueHead)]];
      while (this.acceptPunct(",")) {
        if (this.acceptPunct("}")) return { kind: "object", entries, loc };
        const key = this.exprIn(false);
        this.expectPunct(":");
        entries.push([key, this.exprIn(false)]);
      }
      this.expectPunct("}");
      return { kind: "object", entries, loc };
    });
  }

  // template      = "$" ( '"' … '"' | "`" … "`" )       (text and "{" template-expr "}" parts; see the lexer)
  // template-expr = expr { with-modifier }               (no `not`, `some`, `every`, `=` or `:=`)
  //
  // A template string becomes a call of `internal.template_string` on an array of its parts, as OPA's
  // compiler rewrites it: literal text and scalar constants as text (a number as written), any other
  // expression as the set of its values, `{v | v = expr}`, so that an undefined expression makes an empty
  // set (written `<undefined>`) rather than making the whole string undefined. Text alone is a plain string.
  private template(t: Token): Term {
    const loc = this.loc(t);
    const items: Term[] = [];
    for (const part of t.parts ?? []) {
      if (part.kind === "text") {
        items.push({ kind: "string", value: part.value, loc });
        continue;
      }
      const e = this.templateExpr(part.tokens);
      const text = e.with.length === 0 ? scalarText(e.term) : null;
      if (text !== null) {
        items.push({ kind: "string", value: text, loc: e.loc });
        continue;
      }
      const v: VarTerm = { kind: "var", name: `$tpl${this.templateVars++}`, loc: e.loc };
      const literal: TermExpr = { ...e, term: call("eq", [v, e.term], e.loc) };
      items.push({ kind: "setcompr", term: v, body: [literal], loc: e.loc });
    }
    if (items.every((i) => i.kind === "string")) {
      return { kind: "string", value: items.map((i) => (i as { value: string }).value).join(""), loc };
    }
    return call("internal.template_string", [{ kind: "array", items, loc }], loc);
  }

  /** Parses the tokens of one template expression, which the lexer ended with an `eof` at the closing `}`. */
  private templateExpr(tokens: readonly Token[]): TermExpr {
    const savedTokens = this.tokens;
    const savedPos = this.pos;
    this.tokens = tokens;
    this.pos = 0;
    try {
      const start = this.peek();
      if (start.kind === "eof") this.fail(start, "empty template string expression");
      if (this.isKeyword(start, "some")) this.fail(start, "unexpected 'some' in template string expression");
      if (this.isKeyword(start, "every")) this.fail(start, "unexpected 'every' in template string expression");
      if (this.isKeyword(start, "not")) this.fail(start, "unexpected negation ('not') in template string expression");
      const e = this.withNewlines(false, () => this.literal()) as TermExpr;
      if (e.term.kind === "call" && (e.term.name === "eq" || e.term.name === "assign")) {
        const what = e.term.name === "eq" ? "unification ('=')" : "assignment (':=')";
        this.failAt(e.loc, `unexpected ${what} in template string expression`);
      }
      const end = this.peek();
      if (end.kind !== "eof") this.fail(end, `unexpected ${this.describe(end)}, expected '}' to end the template string expression`);
      return e;
    } finally {
      this.tokens = savedTokens;
      this.pos = savedPos;
    }
  }

  /**
   * A function's argument that holds a template string is matched after the body, as OPA does: the template
   * is replaced by a new variable, and `variable = template` ends the body and every `else` body, so the
   * template may use variables the body binds (`f($"{x}") if { x = "a" }`).
   */
  private deferTemplateArgs(args: Term[]): Expr[] {
    const checks: Expr[] = [];
    const visit = (t: Term): Term => {
      switch (t.kind) {
        case "call":
          if (t.name === "internal.template_string") {
            const v: VarTerm = { kind: "var", name: `$tpl${this.templateVars++}`, loc: t.loc };
            checks.push({ kind: "expr", negated: false, term: call("eq", [v, t], t.loc), with: [], loc: t.loc });
            return v;
          }
          return { ...t, args: t.args.map(visit) };
        case "array":
          return { ...t, items: t.items.map(visit) };
        case "set":
          return { ...t, items: t.items.map(visit) };
        case "object":
          return { ...t, entries: t.entries.map(([k, v]) => [visit(k), visit(v)] as const) };
        case "ref":
          return { ...t, head: visit(t.head), path: t.path.map(visit) };
        default:
          return t;
      }
    };
    for (let i = 0; i < args.length; i++) args[i] = visit(args[i]!);
    return checks;
  }

  // term-list = [ expr-in { "," expr-in } [ "," ] ] close        (the opening token is already consumed)
  private termList(close: string): Term[] {
    const items: Term[] = [];
    if (this.acceptPunct(close)) return items;
    for (;;) {
      items.push(this.exprIn(false));
      if (!this.acceptPunct(",")) break;
      if (this.acceptPunct(close)) return items;
    }
    this.expectPunct(close);
    return items;
  }

  // ---------------------------------------------------------------------------------------------------
  // Tokens, errors and recovery

  private peek(): Token {
    return this.tokens[this.pos]!;
  }

  /** Consumes the current token (never moves past `eof`). */
  private next(): Token {
    const t = this.tokens[this.pos]!;
    if (t.kind !== "eof") this.pos++;
    return t;
  }

  private isPunct(t: Token, text: string): boolean {
    return t.kind === "punct" && t.text === text;
  }

  /** Whether the token is the keyword `word` in this module (in v0, `if`, `contains`, `in` and `every` only when imported). */
  private isKeyword(t: Token, word: string): boolean {
    return t.kind === "ident" && t.text === word && this.keywords.has(word);
  }

  /** How a token reads in a message, given this module's keywords. */
  private describe(t: Token): string {
    return describeToken(t, this.keywords);
  }

  private acceptPunct(text: string): boolean {
    if (!this.isPunct(this.peek(), text)) return false;
    this.next();
    return true;
  }

  private expectPunct(text: string): void {
    const t = this.peek();
    if (!this.isPunct(t, text)) this.fail(t, `unexpected ${this.describe(t)}, expected '${text}'`);
    this.next();
  }

  /**
   * The source of the tokens from index `from` (or from a term's first token) up to `to`, one space where
   * the source has blanks; for messages.
   */
  private sourceText(from: number | Term, to: number): string {
    let i = typeof from === "number" ? from : this.tokens.findIndex((t) => t.line === from.loc.line && t.col === from.loc.col);
    if (i < 0) return "…";
    let out = "";
    for (; i < to; i++) {
      const t = this.tokens[i]!;
      if (out !== "" && t.spaceBefore) out += " ";
      out += t.text;
    }
    return out;
  }

  /** After a rule or import, the next token must start a new line (or be the end). */
  private expectLineEnd(): void {
    const t = this.peek();
    if (t.kind !== "eof" && !t.newlineBefore) this.fail(t, `unexpected ${this.describe(t)}, expected a new line`);
  }

  /** Runs `parse` with line breaks significant (`true`, bodies) or ignored (`false`, inside brackets). */
  private withNewlines<T>(significant: boolean, parse: () => T): T {
    const saved = this.newlineEnds;
    this.newlineEnds = significant;
    const result = parse();
    this.newlineEnds = saved;
    return result;
  }

  /** Counts one level of term nesting, refusing input nested deeply enough to exhaust the stack. */
  private enter(t: Token): void {
    if (++this.nesting > MAX_NESTING) this.fail(t, `expression nested too deeply (more than ${MAX_NESTING} levels)`);
  }

  private loc(t: Token): Location {
    return { file: this.file, line: t.line, col: t.col };
  }

  private report(t: Token, message: string): void {
    this.diags.add("rego_parse_error", this.loc(t), message);
  }

  /** Records an error at a token and unwinds to the enclosing rule or query literal. */
  private fail(t: Token, message: string): never {
    return this.failAt(this.loc(t), message);
  }

  private failAt(loc: Location, message: string): never {
    // An invalid token was reported by the lexer; a second message about it would only repeat the first.
    const t = this.peek();
    if (!(t.kind === "invalid" && t.line === loc.line && t.col === loc.col)) this.diags.add("rego_parse_error", loc, message);
    throw ABORT;
  }

  /** Resets per-rule state after an abort. */
  private resetState(e: unknown): void {
    if (!isAbort(e)) throw e;
    this.newlineEnds = true;
    this.nesting = 0;
  }

  /**
   * Skips to the next token that starts a line in column 1 and could start a rule (not `}`, `]`, `)` or
   * `else`), so that the rest of the module is still checked. A rule start where the failed rule began is
   * skipped, so recovery always makes progress.
   */
  private recoverToRule(e: unknown, failedRuleStart: number): void {
    this.resetState(e);
    if (this.pos === failedRuleStart) this.next();
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") return;
      if (t.newlineBefore && t.col === 1 && t.kind === "ident" && t.text !== "else") return;
      this.next();
    }
  }

  /** Skips the rest of a broken query literal: up to the next `;` or line break. */
  private recoverToLiteral(e: unknown): void {
    this.resetState(e);
    const failedAt = this.pos;
    for (;;) {
      const t = this.peek();
      if (t.kind === "eof") return;
      if (this.isPunct(t, ";")) {
        this.next();
        return;
      }
      if (t.newlineBefore && this.pos > failedAt) return;
      this.next();
    }
  }
}

/** A call term. */
function call(name: string, args: Term[], loc: Location): CallTerm {
  return { kind: "call", name, args, loc };
}

/** A null, boolean, number or string literal as a template string shows it (numbers as written); else null. */
function scalarText(t: Term): string | null {
  switch (t.kind) {
    case "null":
      return "null";
    case "boolean":
      return t.value ? "true" : "false";
    case "number":
      return t.text;
    case "string":
      return t.value;
    default:
      return null;
  }
}

/** The body of a rule written without one: the single literal `true`. */
function trueBody(loc: Location): Body {
  return [{ kind: "expr", negated: false, term: { kind: "boolean", value: true, loc }, with: [], loc }];
}

/** Whether a term may be followed by reference parts or call arguments. */
function refable(t: Term): boolean {
  switch (t.kind) {
    case "var":
      return t.wildcard !== true;
    case "array":
    case "object":
    case "set":
    case "arraycompr":
    case "setcompr":
    case "objectcompr":
      return true;
    default:
      return false;
  }
}

/** The dotted name of a call target (`f`, `a.b.f`, `data.p.f`), or null when it is not a plain name. */
function calleeName(head: Term, path: readonly Term[]): string | null {
  if (head.kind !== "var") return null;
  const parts = [head.name];
  for (const p of path) {
    if (p.kind !== "string" || !isIdentifier(p.value)) return null;
    parts.push(p.value);
  }
  return parts.join(".");
}
