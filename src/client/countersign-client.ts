/**
 * The Countersign client SDK: what an agent, a pipeline or a tool server calls instead of writing the HTTP
 * calls, the long-poll and the grant handling by hand. It uses Node's own `http`/`https` on a keep-alive agent
 * (`http-exchange.ts`, which says why not `fetch`) and nothing else.
 *
 * `guard(request, run)` is the whole workflow in one call: decide; on `allow` run; on `deny` throw; on
 * `require_approval` wait for the verdict (long-poll, never a busy loop), then present the grant with the
 * very same request (so the service redeems it for exactly the approved actor, action and resource, once)
 * and run only when that answers `allow`.
 */

import { CLIENT_ERROR_CODES, CountersignError } from "./client-error";
import { AbortedExchange, HttpExchange, type ExchangeResponse } from "./http-exchange";
import type { ApprovalStatus, ApprovalView, DecideRequest, Decision, HiddenTools, HiddenToolsRequest, RedeemedGrant } from "./client-types";

/** How a client reaches the service. */
export interface CountersignOptions {
  /** The service's base URL, e.g. `http://127.0.0.1:8181`. */
  readonly url: string;
  /** An API key or JWT sent as `Authorization: Bearer …` (or a function giving one per call). */
  readonly token: string | (() => string | Promise<string>);
  /** The longest one HTTP call (other than a long-poll's wait) may take, in ms (default 10000). */
  readonly requestTimeoutMs?: number;
  /** Seconds each long-poll asks the service to hold (default 25; the service caps it). */
  readonly pollSeconds?: number;
  /** A fetch implementation to use instead of Node's `http`/`https` (the default, `http-exchange.ts`). */
  readonly fetch?: typeof fetch;
}

/** Options of a wait. */
export interface WaitOptions {
  readonly signal?: AbortSignal;
  /** Give up (COUNTERSIGN_CLIENT_TIMEOUT) after this many ms; default: until the request's own expiry. */
  readonly timeoutMs?: number;
  /** Called before each long-poll with the request as last seen (for progress reports). */
  readonly onWait?: (view: ApprovalView | undefined, waitedMs: number) => void | Promise<void>;
}

/** What `guard` hands to `run`. */
export interface GuardContext {
  /** The decision that allowed the run (after a grant, the one that redeemed it). */
  readonly decision: Decision;
  /** The approval request when a person approved it. */
  readonly approval?: ApprovalView;
}

/** The final states of an approval request. */
export const FINAL_STATUSES: ReadonlySet<ApprovalStatus> = new Set(["approved", "denied", "expired", "cancelled"]);

/** A client of one Countersign service, for one caller identity. */
export class Countersign {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly exchange = new HttpExchange();
  private readonly requestTimeoutMs: number;
  private readonly pollSeconds: number;

  constructor(private readonly options: CountersignOptions) {
    this.base = options.url.replace(/\/+$/, "");
    this.fetchImpl = options.fetch;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.pollSeconds = options.pollSeconds ?? 25;
  }

  /** `POST /v1/decide`. */
  decide(request: DecideRequest, opts: { signal?: AbortSignal } = {}): Promise<Decision> {
    return this.call<Decision>("POST", "/v1/decide", request, opts.signal);
  }

  /**
   * `POST /v1/mcp/hidden-tools`: which of these tools the policy denies this actor outright (read-only: no
   * request opened, nothing recorded; a listed tool is still decided when called).
   */
  hiddenTools(request: HiddenToolsRequest, opts: { signal?: AbortSignal } = {}): Promise<HiddenTools> {
    return this.call<HiddenTools>("POST", "/v1/mcp/hidden-tools", request, opts.signal);
  }

  /** `GET /v1/approvals/{id}`, optionally long-polling `waitSeconds` for a version past `sinceVersion`. */
  getApproval(id: string, opts: { signal?: AbortSignal; waitSeconds?: number; sinceVersion?: number } = {}): Promise<ApprovalView> {
    const query = new URLSearchParams();
    if (opts.waitSeconds !== undefined) query.set("wait", String(Math.max(0, Math.floor(opts.waitSeconds))));
    if (opts.sinceVersion !== undefined) query.set("since_version", String(opts.sinceVersion));
    const q = query.size > 0 ? `?${query.toString()}` : "";
    return this.call<ApprovalView>(
      "GET",
      `/v1/approvals/${encodeURIComponent(id)}${q}`,
      undefined,
      opts.signal,
      (opts.waitSeconds ?? 0) * 1000,
    );
  }

  /**
   * Waits until the approval request reaches a final state (approved, denied, expired, cancelled) and
   * returns it; long-polls the service, so a verdict on any instance answers at once.
   */
  async waitForApproval(id: string, opts: WaitOptions = {}): Promise<ApprovalView> {
    const started = Date.now();
    const deadline = opts.timeoutMs === undefined ? undefined : started + opts.timeoutMs;
    let last: ApprovalView | undefined;
    for (;;) {
      if (opts.signal?.aborted)
        throw new CountersignError(CLIENT_ERROR_CODES.aborted, `stopped waiting for approval ${id}`, undefined, last);
      const left = deadline === undefined ? Infinity : deadline - Date.now();
      if (left <= 0)
        throw new CountersignError(
          CLIENT_ERROR_CODES.timeout,
          `approval ${id} is still ${last?.status ?? "pending"} after ${opts.timeoutMs} ms`,
          undefined,
          last,
        );
      await opts.onWait?.(last, Date.now() - started);
      const waitSeconds = Math.max(0, Math.min(this.pollSeconds, Math.floor(left / 1000)));
      last = await this.getApproval(id, {
        signal: opts.signal,
        waitSeconds,
        ...(last === undefined ? {} : { sinceVersion: last.version }),
      });
      if (FINAL_STATUSES.has(last.status)) return last;
      if (waitSeconds === 0) await delay(Math.min(left, 250), opts.signal);
    }
  }

  /** `POST /v1/approvals/{id}/cancel`: withdraws the caller's pending request. */
  cancel(id: string, reason?: string, opts: { signal?: AbortSignal } = {}): Promise<ApprovalView> {
    return this.call<ApprovalView>(
      "POST",
      `/v1/approvals/${encodeURIComponent(id)}/cancel`,
      reason === undefined ? {} : { reason },
      opts.signal,
    );
  }

  /** `POST /v1/grants/redeem`: an executor spends a grant for exactly this actor, action and resource. */
  redeem(
    grant: string,
    presented: Pick<DecideRequest, "actor" | "action" | "resource">,
    opts: { signal?: AbortSignal } = {},
  ): Promise<RedeemedGrant> {
    return this.call<RedeemedGrant>(
      "POST",
      "/v1/grants/redeem",
      { grant, actor: presented.actor, action: presented.action, resource: presented.resource },
      opts.signal,
    );
  }

  /**
   * Decides, waits for a person where the policy asks for one, redeems the grant with the same request,
   * and runs `run` only when the answer is allow; throws CountersignError (COUNTERSIGN_CLIENT_DENIED with
   * the decision or approval in `details`) otherwise. `run` runs at most once.
   */
  async guard<T>(request: DecideRequest, run: (ctx: GuardContext) => T | Promise<T>, opts: WaitOptions = {}): Promise<T> {
    const decision = await this.decide(request, opts);
    if (decision.outcome === "allow") return run({ decision });
    if (decision.outcome === "deny" || decision.approval === undefined) throw denied(decision.reasons.join("; ") || "denied", decision);
    const approval = await this.waitForApproval(decision.approval.id, opts);
    if (approval.status !== "approved" || approval.grant === undefined) {
      throw denied(`approval ${approval.id} was ${approval.status}${verdictNote(approval)}`, approval);
    }
    const redeemed = await this.decide({ ...request, grant: approval.grant }, opts);
    if (redeemed.outcome !== "allow") throw denied(redeemed.reasons.join("; ") || "the grant was not accepted", redeemed);
    return run({ decision: redeemed, approval });
  }

  /** Closes the client's idle kept-alive connections (they never keep the process alive). */
  close(): void {
    this.exchange.close();
  }

  private async call<T>(method: string, path: string, body: unknown, signal: AbortSignal | undefined, extraMs = 0): Promise<T> {
    const token = typeof this.options.token === "function" ? await this.options.token() : this.options.token;
    const headers = {
      authorization: `Bearer ${token}`,
      accept: "application/json",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    };
    const text = body === undefined ? undefined : JSON.stringify(body);
    const timeoutMs = this.requestTimeoutMs + extraMs;
    let res: ExchangeResponse;
    try {
      res =
        this.fetchImpl === undefined
          ? await this.exchange.send({
              method,
              url: new URL(`${this.base}${path}`),
              headers,
              ...(text === undefined ? {} : { body: text }),
              ...(signal === undefined ? {} : { signal }),
              timeoutMs,
            })
          : await viaFetch(this.fetchImpl, `${this.base}${path}`, method, headers, text, signal, timeoutMs);
    } catch (err) {
      if (signal?.aborted || err instanceof AbortedExchange)
        throw new CountersignError(CLIENT_ERROR_CODES.aborted, `${method} ${path} was aborted`);
      throw new CountersignError(
        CLIENT_ERROR_CODES.unreachable,
        `Countersign at ${this.base} could not be reached: ${(err as Error).message}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.text);
    } catch {
      throw new CountersignError(
        CLIENT_ERROR_CODES.unreachable,
        `Countersign answered ${res.status} without a JSON body to ${method} ${path}`,
        res.status,
      );
    }
    if (res.status < 200 || res.status > 299) {
      const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
      if (error !== undefined && typeof error.code === "string") {
        throw new CountersignError(error.code, typeof error.message === "string" ? error.message : error.code, res.status, error.details);
      }
      throw new CountersignError(CLIENT_ERROR_CODES.unreachable, `Countersign answered ${res.status} to ${method} ${path}`, res.status);
    }
    return parsed as T;
  }
}

/** One exchange through an injected fetch. */
async function viaFetch(
  fetchImpl: typeof fetch,
  url: string,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal | undefined,
  timeoutMs: number,
): Promise<ExchangeResponse> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const res = await fetchImpl(url, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    signal: signal === undefined ? timeout : AbortSignal.any([signal, timeout]),
  });
  return { status: res.status, text: await res.text() };
}

function denied(message: string, details: unknown): CountersignError {
  return new CountersignError(CLIENT_ERROR_CODES.denied, message, undefined, details);
}

function verdictNote(approval: ApprovalView): string {
  const deny = approval.verdicts.find((v) => v.verdict === "deny");
  if (deny !== undefined) return ` by ${deny.reviewer_id}${deny.comment === undefined ? "" : `: ${deny.comment}`}`;
  if (approval.cancellation?.reason !== undefined) return `: ${String(approval.cancellation.reason)}`;
  return "";
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
