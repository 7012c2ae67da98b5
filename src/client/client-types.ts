/**
 * The wire types of the Countersign API as the client SDK sends and receives them: kept here, self-contained,
 * so the published `countersign/client` entry point depends on nothing but Node.
 */

/** Who is about to act. */
export type ActorType = "service" | "human" | "ai_agent" | "ci";

/** A `POST /v1/decide` body. */
export interface DecideRequest {
  readonly actor: { readonly id: string; readonly type: ActorType; readonly on_behalf_of?: string };
  readonly action: { readonly name: string; readonly params?: Readonly<Record<string, unknown>> };
  readonly resource: { readonly type: string; readonly id: string; readonly environment?: string; readonly [attribute: string]: unknown };
  readonly context?: Readonly<Record<string, unknown>>;
  readonly idempotency_key?: string;
  readonly grant?: string;
  readonly callback_url?: string;
  readonly break_glass?: { readonly justification: string };
}

/** The three answers a policy gives. */
export type Outcome = "allow" | "deny" | "require_approval";

/** The approval request a `require_approval` answer points to. */
export interface DecisionApproval {
  readonly id: string;
  readonly status: string;
  readonly status_url: string;
  readonly created: boolean;
  readonly created_at: string;
  readonly expires_at: string;
  readonly quorum?: number;
  readonly reviewers?: unknown;
  readonly ttl_seconds?: number;
  readonly grant_ttl_seconds?: number;
  readonly reason_required?: boolean;
  readonly [requirement: string]: unknown;
}

/** A `POST /v1/decide` answer. */
export interface Decision {
  readonly decision_id: string;
  readonly outcome: Outcome;
  readonly reasons: readonly string[];
  readonly approval?: DecisionApproval;
  readonly grant?: {
    readonly approval_id: string;
    readonly jti: string;
    readonly approvers: readonly string[];
    readonly use?: number;
    readonly uses_left?: number | null;
  };
  readonly break_glass?: { readonly review_id: string; readonly status_url: string };
  /** Set when Countersign itself turned a require_approval into a deny (a grant refused, the store down). */
  readonly code?: string;
  readonly mask: readonly string[];
  readonly policy: { readonly bundle: string; readonly revision: string } | null;
}

/** Where an approval request is in its life. */
export type ApprovalStatus = "pending" | "approved" | "denied" | "expired" | "cancelled";

/** A `GET /v1/approvals/{id}` answer (the creating caller's view: `grant` once approved). */
export interface ApprovalView {
  readonly id: string;
  readonly status: ApprovalStatus;
  readonly version: number;
  readonly created_at: string;
  readonly updated_at: string;
  readonly expires_at: string;
  readonly decided_at?: string;
  readonly verdicts: readonly {
    readonly reviewer_id: string;
    readonly verdict: "approve" | "deny";
    readonly comment?: string;
    readonly channel: string;
    readonly at: string;
  }[];
  readonly request: DecideRequest;
  readonly reasons: readonly string[];
  readonly cancellation?: { readonly by?: string; readonly reason?: string; readonly [k: string]: unknown };
  readonly grant?: string;
  readonly grant_expires_at?: string;
  readonly [field: string]: unknown;
}

/** A `POST /v1/grants/redeem` answer. */
export interface RedeemedGrant {
  readonly redeemed: true;
  readonly approval_id: string;
  readonly jti: string;
  readonly actor_id: string;
  readonly approvers: readonly string[];
  readonly expires_at: string;
  readonly use?: number;
  readonly uses_left?: number | null;
}

/** A `POST /v1/mcp/hidden-tools` body: the agent, and each tool as a call's `resource` would be. */
export interface HiddenToolsRequest {
  readonly actor: DecideRequest["actor"];
  readonly tools: readonly DecideRequest["resource"][];
  readonly context?: Readonly<Record<string, unknown>>;
}

/** Its answer: the listed tools the policy denies outright (`rule: false` when the policy has no such rule). */
export interface HiddenTools {
  readonly hidden: readonly string[];
  readonly rule: boolean;
  readonly policy: { readonly bundle: string; readonly revision: string } | null;
}
