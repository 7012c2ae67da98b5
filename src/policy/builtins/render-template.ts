/**
 * `strings.render_template`: renders a Go text/template with a variables object — the subset policies
 * use: `{{.field.path}}`, `{{$var}}`, `{{if}}` / `{{else if}}` / `{{else}}`, `{{range}}` (with `$i, $x :=`
 * and `{{else}}`), `{{with}}`, comments, `{{-` / `-}}` trimming and the functions `eq ne lt le gt ge and or
 * not len index print`. A missing key renders as `<undefined>`, as in OPA.
 */

import { HostBuiltinError } from "../policy-error";
import { stringOperand, typeError, type HostBuiltinFamily } from "./operands";
import { builtinError, compareValues, isObject } from "./values";

const NAME = "strings.render_template";
const MISSING = Symbol("missing");

class TemplateError extends Error {}

type Value = unknown;

// ---- lexing into text and actions ----

type Piece = { kind: "text"; text: string } | { kind: "action"; body: string };

function split(template: string): Piece[] {
  const pieces: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < template.length) {
    const open = template.indexOf("{{", i);
    let text = open < 0 ? template.slice(i) : template.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, "");
    trimNext = false;
    if (open < 0) {
      if (text !== "") pieces.push({ kind: "text", text });
      break;
    }
    let bodyStart = open + 2;
    if (template.startsWith("- ", bodyStart) || template.startsWith("-\t", bodyStart) || template.startsWith("-\n", bodyStart)) {
      text = text.replace(/\s+$/, "");
      bodyStart += 1;
    }
    if (text !== "") pieces.push({ kind: "text", text });
    const close = findClose(template, bodyStart);
    if (close < 0) throw new TemplateError("unclosed action");
    let bodyEnd = close;
    if (/\s-$/.test(template.slice(bodyStart, close))) {
      bodyEnd = close - 1;
      trimNext = true;
    }
    const body = template.slice(bodyStart, bodyEnd).trim();
    if (!(body.startsWith("/*") && body.endsWith("*/"))) pieces.push({ kind: "action", body });
    i = close + 2;
  }
  return pieces;
}

/** The `}}` closing an action, skipping quoted strings. */
function findClose(s: string, from: number): number {
  let i = from;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '"' || c === "`") {
      const q = c;
      i++;
      while (i < s.length && s[i] !== q) i += s[i] === "\\" && q === '"' ? 2 : 1;
      i++;
      continue;
    }
    if (s.startsWith("}}", i)) return i;
    i++;
  }
  return -1;
}

// ---- expressions ----

type Expr =
  | { kind: "field"; base: "dot" | string; path: string[] }
  | { kind: "literal"; value: Value }
  | { kind: "call"; fn: string; args: Expr[] }
  | { kind: "paren"; expr: Expr };

function tokenize(body: string): string[] {
  const tokens: string[] = [];
  const re = /\s+|("(?:[^"\\]|\\.)*"|`[^`]*`|:=|=|[(),|]|[^\s(),|]+)/gy;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while (re.lastIndex < body.length && (m = re.exec(body)) !== null) if (m[1] !== undefined) tokens.push(m[1]);
  return tokens;
}

function parseOperand(tokens: string[], pos: { i: number }): Expr {
  const t = tokens[pos.i++];
  if (t === undefined) throw new TemplateError("missing value");
  if (t === "(") {
    const inner = parsePipeline(tokens, pos, ")");
    if (tokens[pos.i++] !== ")") throw new TemplateError("unclosed left paren");
    return { kind: "paren", expr: inner };
  }
  if (t === ".") return { kind: "field", base: "dot", path: [] };
  if (t.startsWith(".")) return { kind: "field", base: "dot", path: t.slice(1).split(".") };
  if (t.startsWith("$")) {
    const [v, ...path] = t.split(".");
    return { kind: "field", base: v!, path };
  }
  if (t.startsWith('"')) return { kind: "literal", value: JSON.parse(t) as string };
  if (t.startsWith("`")) return { kind: "literal", value: t.slice(1, -1) };
  if (t === "true" || t === "false") return { kind: "literal", value: t === "true" };
  if (t === "nil") return { kind: "literal", value: null };
  if (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(t)) return { kind: "literal", value: Number(t) };
  if (/^[A-Za-z_]\w*$/.test(t)) return { kind: "call", fn: t, args: [] };
  throw new TemplateError(`unexpected "${t}" in command`);
}

/** A pipeline: commands separated by `|`, each command a function with arguments or a single operand. */
function parsePipeline(tokens: string[], pos: { i: number }, stop?: string): Expr {
  let result: Expr | null = null;
  for (;;) {
    const parts: Expr[] = [];
    while (pos.i < tokens.length && tokens[pos.i] !== "|" && tokens[pos.i] !== stop) parts.push(parseOperand(tokens, pos));
    if (parts.length === 0) throw new TemplateError("missing value for command");
    let cmd: Expr;
    const head = parts[0]!;
    if (head.kind === "call") cmd = { kind: "call", fn: head.fn, args: parts.slice(1) };
    else if (parts.length === 1) cmd = head;
    else throw new TemplateError("can't give argument to non-function");
    if (result !== null) {
      if (cmd.kind !== "call") throw new TemplateError("non-function in pipeline");
      cmd = { kind: "call", fn: cmd.fn, args: [...cmd.args, result] };
    }
    result = cmd;
    if (tokens[pos.i] === "|") {
      pos.i++;
      continue;
    }
    return result;
  }
}

// ---- the tree ----

type Node =
  | { kind: "text"; text: string }
  | { kind: "print"; decl: string[]; expr: Expr }
  | { kind: "if" | "with"; cond: Expr; decl: string[]; then: Node[]; otherwise: Node[] }
  | { kind: "range"; decl: string[]; expr: Expr; body: Node[]; otherwise: Node[] };

/** Splits `$a, $b := pipeline` into its declared variables and the pipeline's tokens. */
function declaration(tokens: string[]): { decl: string[]; rest: string[] } {
  const assign = tokens.findIndex((t) => t === ":=" || t === "=");
  if (assign < 0) return { decl: [], rest: tokens };
  const decl = tokens.slice(0, assign).filter((t) => t !== ",");
  if (decl.length === 0 || decl.length > 2 || !decl.every((d) => /^\$\w*$/.test(d))) throw new TemplateError("bad variable declaration");
  return { decl, rest: tokens.slice(assign + 1) };
}

function pipelineOf(tokens: string[]): Expr {
  const pos = { i: 0 };
  const e = parsePipeline(tokens, pos);
  if (pos.i !== tokens.length) throw new TemplateError(`unexpected "${tokens[pos.i]}" in operand`);
  return e;
}

function parseTree(pieces: Piece[]): Node[] {
  let i = 0;
  // Parses nodes until one of the given keywords; returns the nodes and the keyword's action tokens.
  const list = (ends: readonly string[]): { nodes: Node[]; end: string[] } => {
    const nodes: Node[] = [];
    while (i < pieces.length) {
      const p = pieces[i++]!;
      if (p.kind === "text") {
        nodes.push({ kind: "text", text: p.text });
        continue;
      }
      const tokens = tokenize(p.body);
      const kw = tokens[0] ?? "";
      if (ends.includes(kw)) return { nodes, end: tokens };
      if (kw === "if" || kw === "with" || kw === "range") {
        nodes.push(block(kw, tokens.slice(1)));
      } else if (kw === "end" || kw === "else") {
        throw new TemplateError(`unexpected {{${kw}}}`);
      } else if (kw === "define" || kw === "template" || kw === "block") {
        throw new TemplateError(`{{${kw}}} is not supported`);
      } else {
        const { decl, rest } = declaration(tokens);
        nodes.push({ kind: "print", decl, expr: pipelineOf(rest) });
      }
    }
    if (ends.length > 0) throw new TemplateError("unexpected EOF");
    return { nodes, end: [] };
  };
  const block = (kw: "if" | "with" | "range", tokens: string[]): Node => {
    const { decl, rest } = declaration(tokens);
    const expr = pipelineOf(rest);
    const body = list(["else", "end"]);
    let otherwise: Node[] = [];
    if (body.end[0] === "else") {
      if (body.end.length > 1 && kw !== "range") {
        // `{{else if …}}` / `{{else with …}}`: a nested block that shares this one's {{end}}.
        const nestedKw = body.end[1];
        if (nestedKw !== "if" && nestedKw !== "with") throw new TemplateError("unexpected tokens after else");
        otherwise = [block(nestedKw, body.end.slice(2))];
      } else {
        otherwise = list(["end"]).nodes;
      }
    }
    if (kw === "range") return { kind: "range", decl, expr, body: body.nodes, otherwise };
    return { kind: kw, cond: expr, decl, then: body.nodes, otherwise };
  };
  return list([]).nodes;
}

// ---- evaluation ----

function truthy(v: Value): boolean {
  if (v === MISSING || v === null || v === undefined || v === false || v === 0 || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObject(v)) return Object.keys(v).length > 0;
  return true;
}

/** Go's `fmt` `%v` of a JSON value. */
function show(v: Value): string {
  if (v === MISSING) return "<undefined>";
  if (v === null || v === undefined) return "<nil>";
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(show).join(" ")}]`;
  const o = v as Record<string, Value>;
  return `map[${Object.keys(o)
    .sort()
    .map((k) => `${k}:${show(o[k])}`)
    .join(" ")}]`;
}

interface Scope {
  dot: Value;
  vars: Map<string, Value>;
}

function fieldOf(v: Value, key: string): Value {
  if (isObject(v)) return Object.prototype.hasOwnProperty.call(v, key) ? v[key] : MISSING;
  if (v === MISSING || v === null || v === undefined) return MISSING;
  throw new TemplateError(`can't evaluate field ${key} in type ${Array.isArray(v) ? "array" : typeof v}`);
}

function callFunction(fn: string, args: Value[]): Value {
  const need = (n: number) => {
    if (args.length < n) throw new TemplateError(`wrong number of args for ${fn}: want ${n} got ${args.length}`);
  };
  switch (fn) {
    case "eq":
      need(2);
      return args.slice(1).some((a) => compareValues(args[0], a) === 0);
    case "ne":
      need(2);
      return compareValues(args[0], args[1]) !== 0;
    case "lt":
      need(2);
      return compareValues(args[0], args[1]) < 0;
    case "le":
      need(2);
      return compareValues(args[0], args[1]) <= 0;
    case "gt":
      need(2);
      return compareValues(args[0], args[1]) > 0;
    case "ge":
      need(2);
      return compareValues(args[0], args[1]) >= 0;
    case "and": {
      need(1);
      for (const a of args) if (!truthy(a)) return a;
      return args[args.length - 1];
    }
    case "or": {
      need(1);
      for (const a of args) if (truthy(a)) return a;
      return args[args.length - 1];
    }
    case "not":
      need(1);
      return !truthy(args[0]);
    case "len": {
      need(1);
      const a = args[0];
      if (typeof a === "string") return new TextEncoder().encode(a).length;
      if (Array.isArray(a)) return a.length;
      if (isObject(a)) return Object.keys(a).length;
      throw new TemplateError(`len of ${show(a)}`);
    }
    case "index": {
      need(1);
      let v = args[0];
      for (const k of args.slice(1)) {
        if (Array.isArray(v) && typeof k === "number") {
          if (!Number.isInteger(k) || k < 0 || k >= v.length) throw new TemplateError(`index out of range: ${k}`);
          v = v[k];
        } else if (isObject(v) && typeof k === "string") {
          v = Object.prototype.hasOwnProperty.call(v, k) ? v[k] : MISSING;
        } else {
          throw new TemplateError(`can't index item of type ${typeof v}`);
        }
      }
      return v;
    }
    case "print":
      return args.map(show).join(args.every((a) => typeof a === "string") ? "" : " ");
    default:
      throw new TemplateError(`function "${fn}" not defined`);
  }
}

function evalExpr(e: Expr, scope: Scope): Value {
  switch (e.kind) {
    case "literal":
      return e.value;
    case "paren":
      return evalExpr(e.expr, scope);
    case "call":
      return callFunction(
        e.fn,
        e.args.map((a) => evalExpr(a, scope)),
      );
    case "field": {
      let v: Value;
      if (e.base === "dot") v = scope.dot;
      else {
        if (!scope.vars.has(e.base)) throw new TemplateError(`undefined variable: ${e.base}`);
        v = scope.vars.get(e.base);
      }
      for (const key of e.path) v = fieldOf(v, key);
      return v;
    }
  }
}

function render(nodes: readonly Node[], scope: Scope, out: string[]): void {
  for (const n of nodes) {
    switch (n.kind) {
      case "text":
        out.push(n.text);
        break;
      case "print": {
        const v = evalExpr(n.expr, scope);
        if (n.decl.length > 0) scope.vars.set(n.decl[0]!, v);
        else out.push(show(v));
        break;
      }
      case "if":
      case "with": {
        const v = evalExpr(n.cond, scope);
        const inner: Scope = { dot: n.kind === "with" && truthy(v) ? v : scope.dot, vars: new Map(scope.vars) };
        if (n.decl.length > 0) inner.vars.set(n.decl[0]!, v);
        render(truthy(v) ? n.then : n.otherwise, inner, out);
        break;
      }
      case "range": {
        const v = evalExpr(n.expr, scope);
        let entries: [Value, Value][];
        if (Array.isArray(v)) entries = v.map((x, i) => [i, x]);
        else if (isObject(v))
          entries = Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]);
        else if (typeof v === "number" && Number.isInteger(v)) entries = Array.from({ length: Math.max(0, v) }, (_, i) => [i, i]);
        else if (v === MISSING || v === null) entries = [];
        else throw new TemplateError(`range can't iterate over ${show(v)}`);
        if (entries.length === 0) {
          render(n.otherwise, { dot: scope.dot, vars: new Map(scope.vars) }, out);
          break;
        }
        for (const [k, x] of entries) {
          const inner: Scope = { dot: x, vars: new Map(scope.vars) };
          if (n.decl.length === 1) inner.vars.set(n.decl[0]!, x);
          else if (n.decl.length === 2) {
            inner.vars.set(n.decl[0]!, k);
            inner.vars.set(n.decl[1]!, x);
          }
          render(n.body, inner, out);
        }
        break;
      }
    }
  }
}

const treeCache = new Map<string, Node[] | TemplateError>();

function renderTemplate(template: unknown, vars: unknown): string {
  const text = stringOperand(NAME, 1, template);
  if (!isObject(vars)) throw typeError(NAME, 2, vars, "object");
  try {
    let tree = treeCache.get(text);
    if (tree === undefined) {
      try {
        tree = parseTree(split(text));
      } catch (err) {
        if (!(err instanceof TemplateError)) throw err;
        tree = err;
      }
      if (treeCache.size >= 256) treeCache.clear();
      treeCache.set(text, tree);
    }
    if (tree instanceof TemplateError) throw tree;
    const out: string[] = [];
    render(tree, { dot: vars, vars: new Map([["$", vars]]) }, out);
    return out.join("");
  } catch (err) {
    if (err instanceof TemplateError) throw builtinError(NAME, `template: ${err.message}`);
    if (err instanceof HostBuiltinError) throw err;
    throw err;
  }
}

export const RENDER_TEMPLATE_BUILTINS: HostBuiltinFamily = {
  "strings.render_template": renderTemplate,
};
