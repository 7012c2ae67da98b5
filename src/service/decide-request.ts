/**
 * A decision request as the use case receives it: already validated against the API schema
 * (`src/http/api-schemas.ts`), in the wire's snake_case because the policy sees the same fields.
 */

/** Who is about to act. */
export type ActorType = "service" | "human" | "ai_agent" | "ci";

/** A validated `POST /v1/decide` body. */
export interface DecideRequest {
  readonly actor: {
    readonly id: string;
    readonly type: ActorType;
    /** The human an agent or service acts for. */
    readonly on_behalf_of?: string;
  };
  readonly action: {
    readonly name: string;
    readonly params?: Readonly<Record<string, unknown>>;
  };
  readonly resource: {
    readonly type: string;
    readonly id: string;
    readonly environment?: string;
    readonly [attribute: string]: unknown;
  };
  readonly context?: Readonly<Record<string, unknown>>;
  /** Caller-chosen key that makes retries return the same approval request (approval workflow). */
  readonly idempotency_key?: string;
  /** A grant token redeemed with this request (approval workflow); not part of the policy input. */
  readonly grant?: string;
  /** Called back (signed) when the approval request this decision opens reaches its final state; not part of the policy input. */
  readonly callback_url?: string;
  /**
   * Break-glass: proceed without approval where the policy allows it (`approval.break_glass_allowed`), with a
   * justification; the answer is then allow, recorded loudly, and a post-hoc review is opened. Not part of the policy input.
   */
  readonly break_glass?: { readonly justification: string };
}
