/**
 * The YAML test case, in the format of OPA's conformance suite (`test/cases/testdata`), and its loader.
 *
 * A file is `cases:` followed by a list of cases; each case names its modules, query, optional data and
 * input, and either the expected bindings (`want_result`) or the expected error (`want_error_code`,
 * `want_error`). See /work/shared/opa-conformance/README.md for the fields.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { fromYaml, type CaseValue } from "./yaml-value";

/** One case as written. */
export interface TestCase {
  readonly note: string;
  readonly query: string;
  readonly modules: readonly string[];
  readonly data?: CaseValue;
  readonly input?: CaseValue;
  /** The input as Rego term text. */
  readonly input_term?: string;
  /** One binding object per expected solution; `[]` for none. */
  readonly want_result?: readonly CaseValue[];
  readonly sort_bindings?: boolean;
  readonly want_error_code?: string;
  readonly want_error?: string;
  readonly strict_error?: boolean;
}

/** A case with where it came from; `problem` is set (and `testCase` null) when the entry is malformed. */
export interface LoadedCase {
  /** Path of the file relative to the directory searched, with `/` separators. */
  readonly file: string;
  /** Position in the file, from 0. */
  readonly index: number;
  readonly note: string;
  readonly testCase: TestCase | null;
  readonly problem?: string;
}

/** Every `.yaml` / `.yml` file below dir, sorted, as paths relative to dir. */
export function findCaseFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const entries = fs.readdirSync(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && /\.ya?ml$/.test(e.name)) out.push(r);
    }
  };
  walk("");
  return out;
}

/** Loads the cases of one file. A file that does not parse yields one malformed entry saying why. */
export function loadCaseFile(dir: string, file: string): LoadedCase[] {
  let doc: unknown;
  try {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const parsed = YAML.parseDocument(text, { intAsBigInt: true });
    if (parsed.errors.length > 0) throw parsed.errors[0];
    doc = parsed.toJS({ mapAsMap: true });
  } catch (err) {
    return [{ file, index: 0, note: "(file)", testCase: null, problem: `cannot load: ${(err as Error).message}` }];
  }
  const root = fromYaml(doc);
  const cases = root !== null && typeof root === "object" && !Array.isArray(root) ? root["cases"] : undefined;
  if (!Array.isArray(cases)) {
    return [{ file, index: 0, note: "(file)", testCase: null, problem: "malformed: no `cases:` list at the top" }];
  }
  return cases.map((raw, index) => toLoadedCase(file, index, raw));
}

/** Loads every case below dir, in file order then case order. */
export function loadCases(dir: string): LoadedCase[] {
  return findCaseFiles(dir).flatMap((f) => loadCaseFile(dir, f));
}

function toLoadedCase(file: string, index: number, raw: CaseValue): LoadedCase {
  const fail = (note: string, problem: string): LoadedCase => ({ file, index, note, testCase: null, problem });
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return fail(`#${index}`, "malformed: a case must be a mapping");
  const note = raw["note"] === undefined ? `#${index}` : String(raw["note"]);
  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new Error(`\`${key}\` must be a string`);
    return v;
  };
  const bool = (key: string): boolean | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") throw new Error(`\`${key}\` must be true or false`);
    return v;
  };
  try {
    const query = str("query");
    if (query === undefined) throw new Error("`query` is missing");
    const modules = raw["modules"] ?? [];
    if (!Array.isArray(modules) || !modules.every((m): m is string => typeof m === "string")) {
      throw new Error("`modules` must be a list of strings");
    }
    const wantResult = raw["want_result"];
    if (wantResult !== undefined && wantResult !== null && !Array.isArray(wantResult)) {
      throw new Error("`want_result` must be a list");
    }
    const testCase: TestCase = {
      note,
      query,
      modules,
      ...(raw["data"] === undefined || raw["data"] === null ? {} : { data: raw["data"] }),
      ...(raw["input"] === undefined || raw["input"] === null ? {} : { input: raw["input"] }),
      ...optional("input_term", str("input_term")),
      ...(Array.isArray(wantResult) ? { want_result: wantResult } : wantResult === null ? { want_result: [] } : {}),
      ...optional("sort_bindings", bool("sort_bindings")),
      ...optional("want_error_code", str("want_error_code")),
      ...optional("want_error", str("want_error")),
      ...optional("strict_error", bool("strict_error")),
    };
    return { file, index, note, testCase };
  } catch (err) {
    return fail(note, `malformed: ${(err as Error).message}`);
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
