/**
 * The IR printer: a plan as indented text, one statement per line, for debugging and `countersign plan`.
 */

import type { Block, Constant, Operand, Plan, Stmt } from "./ir";

/** Renders a whole plan. */
export function printPlan(plan: Plan): string {
  const out: string[] = [];
  plan.constants.forEach((c, id) => out.push(`const c${id} = ${printConstant(plan, c)}`));
  if (plan.hostBuiltins.length > 0) out.push(`host builtins: ${plan.hostBuiltins.join(", ")}`);
  for (const ep of plan.entrypoints) out.push(`entrypoint ${JSON.stringify(ep.name)} -> ${ep.func}`);
  for (const f of plan.functions) {
    out.push("", `func ${f.name}(${Array.from({ length: f.params }, (_, i) => `l${i}`).join(", ")})  # ${f.doc}`);
    printBlock(plan, f.body, 1, out);
  }
  return out.join("\n") + "\n";
}

function printConstant(plan: Plan, c: Constant): string {
  const ref = (id: number) => printConstant(plan, plan.constants[id]);
  switch (c.kind) {
    case "null":
      return "null";
    case "boolean":
      return String(c.value);
    case "number":
      return c.text;
    case "string":
      return JSON.stringify(c.value);
    case "array":
      return `[${c.items.map(ref).join(", ")}]`;
    case "set":
      return c.items.length === 0 ? "set()" : `{${c.items.map(ref).join(", ")}}`;
    case "object":
      return `{${c.entries.map(([k, v]) => `${ref(k)}: ${ref(v)}`).join(", ")}}`;
  }
}

function op(plan: Plan, o: Operand): string {
  if (o.kind === "local") return `l${o.local}`;
  const c = plan.constants[o.id];
  const text = printConstant(plan, c);
  return text.length <= 24 ? text : `c${o.id}`;
}

function printBlock(plan: Plan, b: Block, depth: number, out: string[]): void {
  out.push(`${"  ".repeat(depth)}block ${b.label} {`);
  for (const s of b.stmts) printStmt(plan, s, depth + 1, out);
  out.push(`${"  ".repeat(depth)}}`);
}

function printStmt(plan: Plan, s: Stmt, depth: number, out: string[]): void {
  const pad = "  ".repeat(depth);
  const o = (x: Operand) => op(plan, x);
  switch (s.kind) {
    case "block":
      return printBlock(plan, s.block, depth, out);
    case "scan":
      out.push(`${pad}scan l${s.source} -> ${s.key === null ? "_" : `l${s.key}`}, l${s.value}`);
      return printBlock(plan, s.block, depth + 1, out);
    case "break":
      return void out.push(`${pad}break ${s.label}`);
    case "assign":
      return void out.push(`${pad}l${s.target} = ${o(s.source)}`);
    case "reset":
      return void out.push(`${pad}l${s.target} = undefined`);
    case "isDefined":
      return void out.push(`${pad}defined l${s.local}`);
    case "isUndefined":
      return void out.push(`${pad}undefined l${s.local}`);
    case "notFalse":
      return void out.push(`${pad}not-false ${o(s.source)}`);
    case "equal":
      return void out.push(`${pad}${o(s.a)} == ${o(s.b)}`);
    case "notEqual":
      return void out.push(`${pad}${o(s.a)} != ${o(s.b)}`);
    case "compare":
      return void out.push(`${pad}${o(s.a)} ${s.op} ${o(s.b)}`);
    case "isType":
      return void out.push(`${pad}type ${o(s.source)} is ${s.type}${s.length === undefined ? "" : ` len ${s.length}`}`);
    case "dot":
      return void out.push(`${pad}l${s.target} = ${o(s.source)}[${o(s.key)}]`);
    case "call":
      return void out.push(`${pad}l${s.target} = call ${s.func}(${s.args.map(o).join(", ")})`);
    case "builtin":
      return void out.push(`${pad}l${s.target} = ${s.impl} ${s.name}(${s.args.map(o).join(", ")})`);
    case "makeArray":
    case "makeObject":
    case "makeSet":
      return void out.push(
        `${pad}l${s.target} = ${s.kind === "makeArray" ? "[]" : s.kind === "makeObject" ? "{}" : "set()"}${s.tree ? " tree" : ""}`,
      );
    case "arrayAppend":
      return void out.push(`${pad}append l${s.collection}, ${o(s.value)}`);
    case "setAdd":
      return void out.push(`${pad}add l${s.collection}, ${o(s.value)}`);
    case "objectInsert":
      return void out.push(`${pad}l${s.object}[${o(s.key)}] = ${o(s.value)}`);
    case "objectInsertOnce":
      return void out.push(`${pad}l${s.object}[${o(s.key)}] = ${o(s.value)} once`);
    case "objectInsertLeaf":
      return void out.push(`${pad}l${s.object}[${o(s.key)}] = ${o(s.value)} leaf`);
    case "objectInsertPath":
      return void out.push(`${pad}l${s.object}[...l${s.path}] = ${o(s.value)} leaf`);
    case "objectAddToSetAt":
      return void out.push(`${pad}add l${s.object}[...l${s.path}], ${o(s.value)}`);
    case "objectMergeAt":
      return void out.push(`${pad}l${s.object}[${o(s.key)}] merge ${o(s.value)}${s.leaf ? " leaf" : ""}`);
    case "merge":
      return void out.push(`${pad}l${s.target} = merge(l${s.a}, ${o(s.b)})`);
    case "upsert":
      return void out.push(`${pad}l${s.target} = upsert(l${s.root}, l${s.path}, ${o(s.value)})`);
    case "assignOnce":
      return void out.push(`${pad}l${s.result} = ${o(s.value)} unless conflicting`);
    case "memoGet":
      return void out.push(`${pad}l${s.target} = memo[${s.id}]`);
    case "memoPut":
      return void out.push(`${pad}memo[${s.id}] = l${s.source}`);
    case "memoPush":
    case "memoPop":
      return void out.push(`${pad}${s.kind === "memoPush" ? "memo push" : "memo pop"}`);
    case "return":
      return void out.push(`${pad}return l${s.source}`);
  }
}
