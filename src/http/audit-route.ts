/**
 * `GET /v1/audit`: the audit trail for auditor identities (`auditor: true` in the configuration); anyone
 * else authenticated gets 403 COUNTERSIGN_FORBIDDEN. Filters `from`, `to` (RFC 3339), `actor`, `principal`,
 * `action`, `approval_id`, `decision_id`, `outcome`, `type`; `order=newest|oldest`; `limit` (≤ 500) and
 * `cursor` page through it. The answer is `{entries, next_cursor, archived?}` (next_cursor null at the end;
 * `archived` when the scan reached the oldest entry Redis holds and older ones are sealed in the archive, which
 * this route does not search: it names the seqs and the `audit export --archive` that reads them); a bad
 * query or cursor is 400, a trail that cannot be read 503 (COUNTERSIGN_AUDIT_*, `AUDIT_ERROR_STATUS`).
 */

import type { Request, RequestHandler, Response } from "express";
import { AuditError } from "../audit/audit-error";
import { parseAuditQuery, queryAudit } from "../audit/audit-query";
import type { AuditReader } from "../audit/audit-reader";
import { principalOf } from "./authenticate";
import { HttpError } from "./http-error";

/** The final handler of the audit route (authentication runs before it); `reader` is absent without a trail. */
export function auditQueryHandler(reader: AuditReader | undefined): RequestHandler {
  return async (req: Request, res: Response): Promise<void> => {
    if (!principalOf(res).auditor) throw new HttpError("COUNTERSIGN_FORBIDDEN", "reading the audit trail needs an auditor identity");
    if (reader === undefined)
      throw new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", "this service has no audit trail (no Redis configured)");
    const { filter, page } = parseAuditQuery(req.query as Readonly<Record<string, unknown>>);
    let result;
    try {
      result = await queryAudit(reader, filter, page);
    } catch (err) {
      if (err instanceof AuditError) throw err;
      throw new AuditError("COUNTERSIGN_AUDIT_UNAVAILABLE", `the audit trail cannot be read: ${(err as Error).message}`, { cause: err });
    }
    res.set("Cache-Control", "no-store").json(result);
  };
}
