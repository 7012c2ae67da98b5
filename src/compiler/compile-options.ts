/**
 * The compiler's public request and result types: what `compile()` takes and gives back.
 */

import type { RegoVersion } from "./ast";
import type { Capabilities } from "./capabilities";
import type { Diagnostic } from "./diagnostics";

export type { RegoVersion } from "./ast";

/** A Rego module's text and the name it is reported under. */
export interface SourceFile {
  readonly file: string;
  readonly text: string;
  /** The syntax to read it with; default the request's `regoVersion`. */
  readonly regoVersion?: RegoVersion;
}

/** An ad-hoc query compiled as an extra entrypoint, as OPA's planner does for `opa eval`. */
export interface QueryEntrypoint {
  /** Entrypoint name as listed by the module's `entrypoints()` export. */
  readonly name: string;
  /** Rego query text, for example `data.test.p = x` or `data.a.f(1)`; expressions separated by `;` or newlines. */
  readonly query: string;
}

/** What to compile. */
export interface CompileRequest {
  readonly modules: readonly SourceFile[];
  /**
   * Entrypoints as data paths, `pkg/rule` (slashes) or `data.pkg.rule` (dots). Each evaluates to the result
   * set `[{"result": <value>}]`, or `[]` when undefined.
   */
  readonly entrypoints: readonly string[];
  /** Queries; each evaluates to one object of variable bindings per solution. */
  readonly queries?: readonly QueryEntrypoint[];
  /** Raise builtin errors instead of treating them as undefined (OPA's strict-builtin-errors). */
  readonly strictBuiltinErrors?: boolean;
  /**
   * The syntax of modules that do not say (default 1): 0 reads them as Rego v0, as OPA's `--v0-compatible`
   * does. Queries are always Rego v1.
   */
  readonly regoVersion?: RegoVersion;
  /**
   * Restricts the built-ins to those a capabilities document lists and adds the custom ones it declares
   * (host calls the host must implement), as `opa build --capabilities` does. Default: all of Countersign's.
   */
  readonly capabilities?: Capabilities;
  /** Instrument for coverage (`countersign test --coverage`): see PlanRequest.coverage. */
  readonly coverage?: boolean;
}

/** The outcome: a module, or the diagnostics that prevented one. */
export type CompileResult =
  | {
      readonly ok: true;
      readonly wasm: Uint8Array;
      /** Entrypoint names in id order (paths as `pkg/rule`, queries by name). */
      readonly entrypoints: readonly string[];
      /** Builtins the module imports from its host through opa_builtinN. */
      readonly hostBuiltins: readonly string[];
      /** Non-fatal notes (unused functions, …). */
      readonly warnings: readonly Diagnostic[];
    }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[] };
