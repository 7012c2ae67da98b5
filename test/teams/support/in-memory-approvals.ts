/**
 * In-memory stand-ins for the ports the bot consumes: approvals with the approval core's rules (requesters
 * never review, eligible roles, one verdict per person, quorum across groups, one deny denies, expiry on the
 * test clock), the development reviewers of the example configuration, and a simple masker.
 */

import type {
  ApprovalCardState,
  ApprovalPort,
  CardRequest,
  CardRequirements,
  Masker,
  ReviewerDirectory,
  TeamsClock,
  TeamsReviewer,
  VerdictCommand,
  VerdictResult,
} from "../../../src/teams/ports";

/** The example configuration's Teams tenant. */
export const TENANT = "de7e0000-0000-4000-8000-00000000c0de";

/** A reviewer with their Teams identity. */
export interface DevReviewer extends TeamsReviewer {
  readonly aadObjectId: string;
  /** The Teams-scoped user id (`29:…`), which the bot must never use to identify anyone. */
  readonly teamsId: string;
  readonly name: string;
}

/** The example configuration's reviewers (same ids, roles and AAD object ids). */
export const REVIEWERS = {
  alice: {
    id: "user:alice",
    roles: ["dba"],
    aadObjectId: "a11ce000-0000-4000-8000-000000000001",
    teamsId: "29:alice-teams-id",
    name: "Alice",
  },
  bob: {
    id: "user:bob",
    roles: ["security", "release-manager"],
    aadObjectId: "b0b00000-0000-4000-8000-000000000002",
    teamsId: "29:bob-teams-id",
    name: "Bob",
  },
  carol: {
    id: "user:carol",
    roles: ["security"],
    aadObjectId: "ca401000-0000-4000-8000-000000000003",
    teamsId: "29:carol-teams-id",
    name: "Carol",
  },
  dave: {
    id: "user:dave",
    roles: ["dba", "security"],
    aadObjectId: "da7e0000-0000-4000-8000-000000000004",
    teamsId: "29:dave-teams-id",
    name: "Dave",
  },
} satisfies Record<string, DevReviewer>;

/** A directory of the dev reviewers, keyed by tenant and AAD object id. */
export function devReviewerDirectory(): ReviewerDirectory & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    byTeamsUser(tenantId: string, aadObjectId: string): TeamsReviewer | null {
      lookups.push(`${tenantId}/${aadObjectId}`);
      if (tenantId.toLowerCase() !== TENANT) return null;
      const found = Object.values(REVIEWERS).find((r) => r.aadObjectId === aadObjectId.toLowerCase());
      return found === undefined ? null : { id: found.id, roles: found.roles, displayName: found.name };
    },
  };
}

/** Replaces each pointed-at value with `[MASKED]` (a small RFC 6901 implementation for tests). */
export const testMasker: Masker = {
  mask<T>(value: T, pointers: readonly string[]): T {
    const copy = structuredClone(value) as unknown;
    for (const pointer of pointers) {
      const tokens = pointer
        .split("/")
        .slice(1)
        .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"));
      let node = copy as Record<string, unknown> | undefined;
      for (let i = 0; i < tokens.length - 1 && node !== undefined; i++) {
        const next = node[tokens[i]!];
        node = typeof next === "object" && next !== null ? (next as Record<string, unknown>) : undefined;
      }
      const last = tokens[tokens.length - 1];
      if (node !== undefined && last !== undefined && Object.prototype.hasOwnProperty.call(node, last)) node[last] = "[MASKED]";
    }
    return copy as T;
  },
};

/** A controllable clock. */
export class TestClock implements TeamsClock {
  constructor(public ms: number = Date.UTC(2025, 0, 31, 14, 0, 0)) {}
  now(): number {
    return this.ms;
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** What a test asks for. */
export interface NewApproval {
  readonly request: CardRequest;
  readonly requirements: CardRequirements;
  readonly policyReasons?: readonly string[];
  readonly mask?: readonly string[];
  readonly ttlMs?: number;
  /** The authenticated caller principal that asked. */
  readonly callerId?: string;
}

const MESSAGES: Record<string, string> = {
  COUNTERSIGN_APPROVAL_NOT_FOUND: "no such approval request",
  COUNTERSIGN_SELF_APPROVAL: "requesters cannot review their own request",
  COUNTERSIGN_NOT_ELIGIBLE: "reviewer has none of the required roles",
  COUNTERSIGN_ALREADY_VOTED: "reviewer has already given a verdict on this request",
  COUNTERSIGN_ALREADY_DECIDED: "the request is no longer pending",
  COUNTERSIGN_EXPIRED: "the request has expired",
};

/** ApprovalPort over a map, with the approval core's rules. */
export class InMemoryApprovals implements ApprovalPort {
  private readonly states = new Map<string, ApprovalCardState>();
  private readonly callers = new Map<string, string>();
  private nextId = 1;
  /** Every castVerdict call, in order. */
  readonly verdictCalls: VerdictCommand[] = [];

  constructor(
    private readonly clock: TestClock,
    private readonly names: Record<string, string> = Object.fromEntries(Object.values(REVIEWERS).map((r) => [r.id, r.name])),
  ) {}

  create(input: NewApproval): ApprovalCardState {
    const id = `apr_${String(this.nextId++).padStart(4, "0")}`;
    const now = this.clock.now();
    const state: ApprovalCardState = {
      id,
      status: "pending",
      version: 1,
      request: input.request,
      policyReasons: input.policyReasons ?? [],
      mask: input.mask ?? [],
      requestedAt: now,
      expiresAt: now + (input.ttlMs ?? 3_600_000),
      requirements: input.requirements,
      verdicts: [],
    };
    this.states.set(id, state);
    this.callers.set(id, input.callerId ?? "svc:ci");
    return state;
  }

  async get(approvalId: string): Promise<ApprovalCardState | null> {
    return this.current(approvalId);
  }

  async castVerdict(command: VerdictCommand): Promise<VerdictResult> {
    this.verdictCalls.push(command);
    return this.verdict(command);
  }

  /** A verdict as the HTTP API would record it (same rules). */
  verdict(command: VerdictCommand): VerdictResult {
    const state = this.current(command.approvalId);
    if (state === null) return refusal("COUNTERSIGN_APPROVAL_NOT_FOUND");
    if (state.status === "expired") return refusal("COUNTERSIGN_EXPIRED");
    if (state.status !== "pending") return refusal("COUNTERSIGN_ALREADY_DECIDED");
    const actor = state.request.actor;
    const requesters = [actor.id, actor.on_behalf_of, this.callers.get(state.id)];
    if (requesters.includes(command.reviewer.id)) return refusal("COUNTERSIGN_SELF_APPROVAL");
    const required = requiredRoles(state.requirements);
    if (!command.reviewer.roles.some((r) => required.includes(r))) return refusal("COUNTERSIGN_NOT_ELIGIBLE");
    if (state.verdicts.some((v) => v.reviewerId === command.reviewer.id)) return refusal("COUNTERSIGN_ALREADY_VOTED");

    const now = this.clock.now();
    const verdicts = [
      ...state.verdicts,
      {
        reviewerId: command.reviewer.id,
        ...(this.names[command.reviewer.id] === undefined ? {} : { reviewerName: this.names[command.reviewer.id]! }),
        verdict: command.verdict,
        ...(command.comment === undefined ? {} : { comment: command.comment }),
        at: now,
      },
    ];
    let next: ApprovalCardState = { ...state, verdicts, version: state.version + 1 };
    if (command.verdict === "deny") {
      next = { ...next, status: "denied", outcome: { status: "denied", decidedAt: now, decidedBy: [command.reviewer.id] } };
    } else if (quorumMet(state.requirements, verdicts, this.rolesOf.bind(this))) {
      const approvers = verdicts.filter((v) => v.verdict === "approve").map((v) => v.reviewerId);
      next = { ...next, status: "approved", outcome: { status: "approved", decidedAt: now, decidedBy: approvers } };
    }
    this.states.set(state.id, next);
    this.roles.set(command.reviewer.id, command.reviewer.roles);
    return { ok: true, state: next };
  }

  /** The creating caller cancels. */
  cancel(approvalId: string, by: string, reason?: string): ApprovalCardState {
    const state = this.mustGet(approvalId);
    const next: ApprovalCardState = {
      ...state,
      status: "cancelled",
      version: state.version + 1,
      outcome: { status: "cancelled", decidedAt: this.clock.now(), decidedBy: [by], ...(reason === undefined ? {} : { reason }) },
    };
    this.states.set(approvalId, next);
    return next;
  }

  /** The expiry sweep: a pending request past its ttl becomes expired, once. */
  expire(approvalId: string): ApprovalCardState | null {
    const state = this.mustGet(approvalId);
    if (state.status !== "pending" || this.clock.now() < state.expiresAt) return null;
    const next: ApprovalCardState = {
      ...state,
      status: "expired",
      version: state.version + 1,
      outcome: { status: "expired", decidedAt: this.clock.now(), decidedBy: [] },
    };
    this.states.set(approvalId, next);
    return next;
  }

  private readonly roles = new Map<string, readonly string[]>();

  private rolesOf(reviewerId: string): readonly string[] {
    return this.roles.get(reviewerId) ?? Object.values(REVIEWERS).find((r) => r.id === reviewerId)?.roles ?? [];
  }

  private current(approvalId: string): ApprovalCardState | null {
    return this.states.get(approvalId) ?? null;
  }

  private mustGet(approvalId: string): ApprovalCardState {
    const state = this.current(approvalId);
    if (state === null) throw new Error(`no approval ${approvalId}`);
    return state;
  }
}

function refusal(code: string): VerdictResult {
  return { ok: false, code, message: MESSAGES[code] ?? code };
}

function requiredRoles(requirements: CardRequirements): string[] {
  return [...(requirements.roles ?? []), ...(requirements.groups ?? []).flatMap((g) => g.roles)];
}

function quorumMet(
  requirements: CardRequirements,
  verdicts: readonly { reviewerId: string; verdict: string }[],
  rolesOf: (id: string) => readonly string[],
): boolean {
  const approvers = verdicts.filter((v) => v.verdict === "approve").map((v) => v.reviewerId);
  if (approvers.length < requirements.quorum) return false;
  for (const group of requirements.groups ?? []) {
    const inGroup = approvers.filter((id) => rolesOf(id).some((r) => group.roles.includes(r)));
    if (inGroup.length < group.quorum) return false;
  }
  return true;
}
