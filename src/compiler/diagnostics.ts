/**
 * Compiler diagnostics: problems found in Rego sources, reported as data rather than thrown.
 *
 * Every stage appends to a Diagnostics list and carries on where it can, so one run reports several
 * problems. Codes follow OPA's so that tooling and people who know OPA read them the same way.
 */

/** OPA-compatible diagnostic codes. */
export type DiagnosticCode =
  "rego_parse_error" | "rego_compile_error" | "rego_unsafe_var_error" | "rego_type_error" | "rego_recursion_error";

/** A position in a source file; line and col are 1-based. */
export interface Location {
  readonly file: string;
  readonly line: number;
  readonly col: number;
}

/** One problem in the sources. */
export interface Diagnostic extends Location {
  readonly code: DiagnosticCode;
  readonly message: string;
  /** The named check that found it (see check/checks.ts); absent for parse and rule-tree problems. */
  readonly check?: string;
}

/** Collects diagnostics across stages. */
export class Diagnostics {
  readonly items: Diagnostic[] = [];

  /** Records a problem at a location, naming the check that found it when there is one. */
  add(code: DiagnosticCode, loc: Location, message: string, check?: string): void {
    const at = { code, message, file: loc.file, line: loc.line, col: loc.col };
    this.items.push(check === undefined ? at : { ...at, check });
  }

  /** True when at least one problem was recorded. */
  get hasErrors(): boolean {
    return this.items.length > 0;
  }
}

/** `file:line:col: code: message`, the one-line form used in CLI output and error messages. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.code}: ${d.message}`;
}

/**
 * The one-line form followed by the offending source line and a caret under the column, when the source
 * text is at hand.
 */
export function formatDiagnosticWithSource(d: Diagnostic, sources: ReadonlyMap<string, string>): string {
  const head = formatDiagnostic(d);
  const text = sources.get(d.file);
  if (text === undefined) return head;
  const line = text.split(/\r?\n/)[d.line - 1];
  if (line === undefined) return head;
  const caretPad = line.slice(0, Math.max(0, d.col - 1)).replace(/[^\t]/g, " ");
  return `${head}\n  ${line}\n  ${caretPad}^`;
}

/** Thrown only at API boundaries that cannot return diagnostics (for example the CLI); carries them all. */
export class CompileError extends Error {
  readonly code = "COUNTERSIGN_COMPILE_FAILED";
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join("\n"));
    this.name = "CompileError";
  }
}
