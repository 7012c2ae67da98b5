/**
 * The one base of Countersign's boundary errors: each boundary (approvals, audit, engine, bundles, config,
 * HTTP, Teams, Slack, the console, the MCP gateway, the CLI…) keeps its own catalogue of stable codes in its
 * own file and throws a subclass of this, so every error carries its code the same way.
 *
 * A code never changes meaning (clients, logs and the audit trail key on it). `toBody()` is the API's error
 * body, `{ "error": { "code", "message", "details"? } }`; `cause` keeps the underlying error for the log.
 */

/** An error with a stable code from its boundary's catalogue. */
export abstract class CodedError<Code extends string = string> extends Error {
  constructor(
    /** Stable code from the boundary's catalogue. */
    readonly code: Code,
    message: string,
    options?: { readonly cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  /** The API error body: `{ error: { code, message, details? } }` (`details`: the subclass's, when it has them). */
  toBody(): { error: { code: string; message: string; details?: unknown } } {
    const details = (this as { readonly details?: unknown }).details;
    return { error: { code: this.code, message: this.message, ...(details === undefined ? {} : { details }) } };
  }
}

/** A boundary's catalogue: for each stable code, the HTTP status it answers with and its default message. */
export type ErrorCatalogue<Code extends string> = Readonly<Record<Code, { readonly status: number; readonly message: string }>>;

/** A CodedError whose status and default message come from its boundary's catalogue (HTTP-facing boundaries). */
export abstract class CataloguedError<Code extends string> extends CodedError<Code> {
  /** HTTP status from the catalogue. */
  readonly status: number;

  constructor(catalogue: ErrorCatalogue<Code>, code: Code, message?: string) {
    super(code, message ?? catalogue[code].message);
    this.status = catalogue[code].status;
  }
}
