/**
 * Test coverage as `opa test --coverage` reports it: which lines of the Rego modules the tests reached, per
 * file as ranges of rows, with OPA's JSON report shape (`files.<file>.covered` / `not_covered` as
 * `{start: {row}, end: {row}}` ranges, `covered_lines`, `not_covered_lines`, `coverage` in percent, and the
 * same totals at the top), plus Countersign's per-rule figures under `files.<file>.rules`.
 *
 * What counts, as in OPA: a body literal's line is covered when evaluation reached the literal, and a rule's
 * head line when its body succeeded (a value was produced). The lines are recorded by instrumentation the
 * compiler adds for the test run only (`PlanRequest.coverage`: a host call of COVERAGE_BUILTIN before each
 * literal and after each successful body). Default rules are not counted; a rule no test reaches has all of
 * its lines not covered.
 */

import type { Body, Expr, Module, Rule } from "../compiler/ast";
import { COVERAGE_BUILTIN } from "../compiler/planner";
import type { HostBuiltinFn } from "../policy/host-builtins";

/** A range of rows, as OPA writes it. */
export interface CoverageRange {
  readonly start: { readonly row: number };
  readonly end: { readonly row: number };
}

/** One rule's figures (Countersign's addition to OPA's file report). */
export interface RuleCoverage {
  readonly covered_lines: number;
  readonly not_covered_lines: number;
  readonly coverage: number;
}

/** One file's report (OPA's FileReport, and `rules`). */
export interface FileCoverage {
  readonly covered?: readonly CoverageRange[];
  readonly not_covered?: readonly CoverageRange[];
  readonly covered_lines?: number;
  readonly not_covered_lines?: number;
  readonly coverage?: number;
  readonly rules?: Readonly<Record<string, RuleCoverage>>;
}

/** The whole report (OPA's Report). */
export interface CoverageReport {
  readonly files: Readonly<Record<string, FileCoverage>>;
  readonly covered_lines: number;
  readonly not_covered_lines: number;
  readonly coverage: number;
}

/** Records the hits of an instrumented module; `builtins` goes to loadCompiledPolicy. */
export class CoverageRecorder {
  private readonly hits = new Map<string, Set<number>>();

  /** The host implementation of COVERAGE_BUILTIN. */
  readonly builtins: Readonly<Record<string, HostBuiltinFn>> = {
    [COVERAGE_BUILTIN]: (file: unknown, line: unknown) => {
      if (typeof file === "string" && typeof line === "number") {
        let set = this.hits.get(file);
        if (set === undefined) this.hits.set(file, (set = new Set()));
        set.add(line);
      }
      return true;
    },
  };

  /** The report over the given modules (parsed as they were compiled). */
  report(modules: readonly Module[]): CoverageReport {
    const files: Record<string, FileCoverage> = {};
    let covered = 0;
    let notCovered = 0;
    for (const m of modules) {
      const hit = this.hits.get(m.file) ?? new Set<number>();
      const lines = new Set<number>();
      const rules = new Map<string, Set<number>>();
      for (const rule of m.rules) {
        if (rule.default) continue;
        const name = [...m.package, ...rule.head.ref.map((t) => (t.kind === "string" ? t.value : "[_]"))].join(".");
        let own = rules.get(name);
        if (own === undefined) rules.set(name, (own = new Set()));
        for (const l of ruleLines(rule)) {
          lines.add(l);
          own.add(l);
        }
      }
      if (lines.size === 0) continue;
      const rows = [...lines].sort((a, b) => a - b);
      const yes = rows.filter((r) => hit.has(r));
      const no = rows.filter((r) => !hit.has(r));
      covered += yes.length;
      notCovered += no.length;
      const perRule: Record<string, RuleCoverage> = {};
      for (const [name, own] of [...rules].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const c = [...own].filter((r) => hit.has(r)).length;
        perRule[name] = { covered_lines: c, not_covered_lines: own.size - c, coverage: percent(c, own.size - c) };
      }
      files[m.file] = {
        ...(yes.length === 0 ? {} : { covered: ranges(yes) }),
        ...(no.length === 0 ? {} : { not_covered: ranges(no) }),
        ...(yes.length === 0 ? {} : { covered_lines: yes.length }),
        ...(no.length === 0 ? {} : { not_covered_lines: no.length }),
        ...(yes.length === 0 ? {} : { coverage: percent(yes.length, no.length) }),
        rules: perRule,
      };
    }
    return { files, covered_lines: covered, not_covered_lines: notCovered, coverage: percent(covered, notCovered) };
  }
}

/** The lines of a rule that can be covered: its head (and each else clause's), and every body literal, nested ones included. */
function ruleLines(rule: Rule): number[] {
  const out: number[] = [rule.loc.line];
  const body = (b: Body): void => {
    for (const e of b) literal(e);
  };
  const literal = (e: Expr): void => {
    out.push(e.loc.line);
    nested(e);
  };
  // Bodies inside terms (comprehensions) and `every` blocks: their literals are planned, and reached, too.
  const nested = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(nested);
    if (node === null || typeof node !== "object") return;
    const n = node as { kind?: string; body?: Body };
    if ((n.kind === "arraycompr" || n.kind === "setcompr" || n.kind === "objectcompr" || n.kind === "every") && Array.isArray(n.body))
      body(n.body);
    for (const [k, v] of Object.entries(node)) if (k !== "loc" && k !== "body") nested(v);
  };
  body(rule.body);
  for (let e = rule.else; e !== null; e = e.else) {
    out.push(e.loc.line);
    body(e.body);
  }
  return out;
}

/** Consecutive rows joined into ranges. */
function ranges(rows: readonly number[]): CoverageRange[] {
  const out: { start: { row: number }; end: { row: number } }[] = [];
  for (const r of rows) {
    const last = out[out.length - 1];
    if (last !== undefined && last.end.row === r - 1) last.end.row = r;
    else out.push({ start: { row: r }, end: { row: r } });
  }
  return out;
}

/** Covered share in percent (0 when nothing can be covered). */
function percent(covered: number, notCovered: number): number {
  const total = covered + notCovered;
  return total === 0 ? 0 : (covered / total) * 100;
}
