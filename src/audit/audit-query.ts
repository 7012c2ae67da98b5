/**
 * The audit query use case behind `GET /v1/audit`: filters (time range, actor, principal, action, approval
 * id, decision id, outcome, event type) over the stored trail, newest or oldest first, in pages with an
 * opaque cursor (the storage id of the last entry looked at).
 *
 * The trail is a log, not an index: a page scans entries in order until it has `limit` matches or has
 * looked at `scanLimit` entries, and then hands back a cursor, so a selective filter over a long trail may
 * return a short (even empty) page with a cursor to continue. A time range also stops the scan once entries
 * are older (newest first) or newer (oldest first) than the range by more than CLOCK_SKEW_TOLERANCE_NS:
 * entries are in append order, which is time order up to the clock differences between instances.
 * Who may call it (auditor identities) is the route's business.
 *
 * Archived entries: a page reads the hot stream only. Once the archiver has sealed and trimmed the oldest
 * entries, a page whose scan reached the stream's first entry (newest first: the end of the scan; oldest
 * first: a first page whose range reaches back before the stream's first entry) carries `archived`: which seqs
 * are archived and not searched, and how to export them (`countersign audit export --archive …`). Paging into
 * the archive would mean decompressing whole segments (up to 100,000 entries each) on the service's event
 * loop per page, which would hold up decisions; the export reads the archive off the service.
 *
 * Cost: a page looks at no more than `scanLimit` entries (default 2,000), yields the event loop after every
 * chunk it reads so decisions in flight are not held up, and rejects most non-matching entries by a substring
 * test on their canonical JSON (`"actor":"user:alice"`) before parsing any: an auditor paging the trail costs
 * a small, bounded slice of CPU per page.
 *
 * Decision entries come back in full (`decisionView`, `decision-entry.ts`): a version 2 entry stores each fact
 * once, and the members filters and readers look at (`actor`, `action`, `resource`, `caller`, `result`, …)
 * are derived from its `input` and answer; version 1 entries already hold them. Time filters
 * read each entry's own top-level `timestamp` (never one inside its `input`).
 */

import { AuditError } from "./audit-error";
import { AUDIT_EVENT_TYPES, type AuditEventType } from "./audit-event";
import type { AuditReader, StoredRecord } from "./audit-reader";
import { entryTimestampText, parseTimestamp, requireTimestamp } from "./audit-time";
import type { AuditEntry } from "./chain";
import { decisionView } from "./decision-entry";

/** Which entries to return; every given filter must match. */
export interface AuditFilter {
  /** Earliest `timestamp`, inclusive (ns since the epoch). */
  readonly from?: bigint;
  /** Latest `timestamp`, inclusive. */
  readonly to?: bigint;
  /** The request's actor (`actor`). */
  readonly actor?: string;
  /** Anyone involved: `caller`, `actor`, `on_behalf_of`, `reviewer` or `by`. */
  readonly principal?: string;
  /** The action name (`action`). */
  readonly action?: string;
  readonly approvalId?: string;
  readonly decisionId?: string;
  /** A decision's outcome (`allow`, `deny`, `require_approval`) or an approval's final state (`approved`, …). */
  readonly outcome?: string;
  /** Event types; any of them. */
  readonly types?: readonly AuditEventType[];
}

/** Which page. */
export interface AuditPageRequest {
  /** From a previous page's `next_cursor`; absent for the first page. */
  readonly cursor?: string;
  /** Matches per page, 1..MAX_PAGE_LIMIT; default DEFAULT_PAGE_LIMIT. */
  readonly limit?: number;
  /** Default `newest`. */
  readonly order?: "newest" | "oldest";
}

/** One page of results. */
export interface AuditPage {
  readonly entries: readonly AuditEntry[];
  /** Pass back as `cursor` for the next page; null when the scan reached the end of the trail. */
  readonly next_cursor: string | null;
  /** Present when the scan reached the oldest entry Redis holds and older ones are archived: they were not searched. */
  readonly archived?: ArchivedNotice;
}

/** The part of the trail a query did not search because it is archived. */
export interface ArchivedNotice {
  /** Seqs 1..through_seq are in the archive (sealed segments), no longer in Redis. */
  readonly through_seq: number;
  readonly segments: number;
  readonly message: string;
}

/** Default matches per page. */
export const DEFAULT_PAGE_LIMIT = 50;
/** Most matches per page. */
export const MAX_PAGE_LIMIT = 500;
/** Default most entries one page looks at. */
export const DEFAULT_SCAN_LIMIT = 2_000;
/** How far out of time order entries from different instances may be (5 minutes). */
export const CLOCK_SKEW_TOLERANCE_NS = 5n * 60n * 1_000_000_000n;

const READ_CHUNK = 200;
const CURSOR = /^[0-9]{1,20}-[0-9]{1,20}$/;

/** Runs one page of a query. */
export async function queryAudit(
  reader: AuditReader,
  filter: AuditFilter,
  page: AuditPageRequest = {},
  opts: { readonly scanLimit?: number } = {},
): Promise<AuditPage> {
  const limit = page.limit ?? DEFAULT_PAGE_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_QUERY", `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`);
  }
  if (page.cursor !== undefined && !CURSOR.test(page.cursor)) {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_CURSOR", "cursor is not one this service handed out");
  }
  const newestFirst = (page.order ?? "newest") === "newest";
  const scanned = await scanPage(reader, filter, page, limit, newestFirst, opts.scanLimit ?? DEFAULT_SCAN_LIMIT);
  if (!scanned.reachedStart || reader.archiveState === undefined) return scanned.page;
  const state = await reader.archiveState();
  if (state.seq === 0) return scanned.page;
  return {
    ...scanned.page,
    archived: {
      through_seq: state.seq,
      segments: state.segments,
      message:
        `seqs 1..${state.seq} are archived in ${state.segments} sealed segments and were not searched; ` +
        "export them with `countersign audit export --archive <audit.archive dir or s3://bucket/prefix> --from <seq or time> --to <seq or time>`",
    },
  };
}

/** One page, and whether the scan reached the oldest stored entry (where an archive would carry on). */
async function scanPage(
  reader: AuditReader,
  filter: AuditFilter,
  page: AuditPageRequest,
  limit: number,
  newestFirst: boolean,
  scanLimit: number,
): Promise<{ page: AuditPage; reachedStart: boolean }> {
  const matches = compileFilter(filter);
  const mayMatch = compilePrefilter(filter);
  const entries: AuditEntry[] = [];
  let cursor: string | null = page.cursor ?? null;
  let scanned = 0;
  // Oldest first from the start: the first entry read is the stream's oldest; older ones may be archived.
  let reachedStart = false;
  for (;;) {
    const chunk = Math.min(READ_CHUNK, scanLimit - scanned);
    if (scanned > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    const records = newestFirst ? await reader.readDescending(cursor, chunk) : await reader.readAscending(cursor, chunk);
    for (const rec of records) {
      if (scanned === 0 && !newestFirst && page.cursor === undefined) reachedStart = !startsAfter(rec.line, filter);
      scanned++;
      cursor = rec.id;
      if (!mayMatch(rec.line)) {
        if (pastRangeText(rec.line, filter, newestFirst))
          return { page: { entries, next_cursor: null }, reachedStart: !newestFirst && reachedStart };
        continue;
      }
      const entry = parse(rec);
      if (entry !== null) {
        if (pastRange(entry, filter, newestFirst))
          return { page: { entries, next_cursor: null }, reachedStart: !newestFirst && reachedStart };
        if (matches(entry)) {
          entries.push(entry);
          if (entries.length === limit) return { page: { entries, next_cursor: cursor }, reachedStart };
        }
      }
    }
    if (records.length < chunk) return { page: { entries, next_cursor: null }, reachedStart: reachedStart || newestFirst };
    if (scanned >= scanLimit) return { page: { entries, next_cursor: cursor }, reachedStart };
  }
}

/** Query-string parameters `GET /v1/audit` accepts. */
export const AUDIT_QUERY_PARAMETERS = [
  "from",
  "to",
  "actor",
  "principal",
  "action",
  "approval_id",
  "decision_id",
  "outcome",
  "type",
  "cursor",
  "limit",
  "order",
] as const;

/**
 * Reads query-string parameters (as Express gives them) into a filter and a page request. `type` may repeat
 * or hold a comma-separated list. Unknown or malformed parameters are a COUNTERSIGN_AUDIT_BAD_QUERY.
 */
export function parseAuditQuery(params: Readonly<Record<string, unknown>>): { filter: AuditFilter; page: AuditPageRequest } {
  const known = new Set<string>(AUDIT_QUERY_PARAMETERS);
  for (const key of Object.keys(params)) {
    if (!known.has(key)) throw new AuditError("COUNTERSIGN_AUDIT_BAD_QUERY", `unknown query parameter ${JSON.stringify(key)}`);
  }
  const one = (name: string): string | undefined => {
    const v = params[name];
    if (v === undefined) return undefined;
    if (typeof v !== "string" || v === "") throw new AuditError("COUNTERSIGN_AUDIT_BAD_QUERY", `${name} must be given once, non-empty`);
    return v;
  };
  const typeValues = params["type"] === undefined ? [] : ([] as unknown[]).concat(params["type"]);
  const types: AuditEventType[] = [];
  for (const v of typeValues) {
    if (typeof v !== "string") throw new AuditError("COUNTERSIGN_AUDIT_BAD_QUERY", "type must be text");
    for (const t of v.split(",")) {
      if (!(AUDIT_EVENT_TYPES as readonly string[]).includes(t)) {
        throw new AuditError("COUNTERSIGN_AUDIT_BAD_QUERY", `type ${JSON.stringify(t)} is not one of ${AUDIT_EVENT_TYPES.join(", ")}`);
      }
      types.push(t as AuditEventType);
    }
  }
  const from = one("from");
  const to = one("to");
  const limitText = one("limit");
  const order = one("order");
  if (order !== undefined && order !== "newest" && order !== "oldest") {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_QUERY", "order must be newest or oldest");
  }
  if (limitText !== undefined && !/^[0-9]{1,4}$/.test(limitText)) {
    throw new AuditError("COUNTERSIGN_AUDIT_BAD_QUERY", `limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`);
  }
  const filter: AuditFilter = compact({
    from: from === undefined ? undefined : requireTimestamp(from, "from"),
    to: to === undefined ? undefined : requireTimestamp(to, "to"),
    actor: one("actor"),
    principal: one("principal"),
    action: one("action"),
    approvalId: one("approval_id"),
    decisionId: one("decision_id"),
    outcome: one("outcome"),
    types: types.length === 0 ? undefined : types,
  });
  const page: AuditPageRequest = compact({
    cursor: one("cursor"),
    limit: limitText === undefined ? undefined : Number(limitText),
    order: order as AuditPageRequest["order"],
  });
  return { filter, page };
}

/** A predicate for the filter. */
function compileFilter(f: AuditFilter): (e: AuditEntry) => boolean {
  const types = f.types === undefined ? null : new Set<string>(f.types);
  return (e) => {
    const r = e as unknown as { readonly [key: string]: unknown };
    if (types !== null && !types.has(e.type)) return false;
    if (f.actor !== undefined && r["actor"] !== f.actor) return false;
    if (f.action !== undefined && r["action"] !== f.action) return false;
    if (f.approvalId !== undefined && r["approval_id"] !== f.approvalId) return false;
    if (f.decisionId !== undefined && r["decision_id"] !== f.decisionId) return false;
    if (f.outcome !== undefined && r["outcome"] !== f.outcome) return false;
    if (f.principal !== undefined && !["caller", "actor", "on_behalf_of", "reviewer", "by"].some((k) => r[k] === f.principal)) return false;
    if (f.from !== undefined || f.to !== undefined) {
      const ts = parseTimestamp(e.timestamp);
      if (ts === null) return false;
      if (f.from !== undefined && ts < f.from) return false;
      if (f.to !== undefined && ts > f.to) return false;
    }
    return true;
  };
}

/**
 * A quick test on an entry's canonical JSON text that is false only for entries the filter cannot match: each
 * equality filter's member must appear as written (`"action":"db.export"`). Entries that pass are parsed and
 * checked exactly.
 */
function compilePrefilter(f: AuditFilter): (line: string) => boolean {
  const member = (key: string, value: string): string => `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  const all: string[][] = [];
  if (f.types !== undefined) all.push(f.types.map((t) => member("type", t)));
  // A version 2 decision entry holds its subject only inside `input` (`"actor":{"id":…}`, `"action":{"name":…}`,
  // `"caller":{"id":…}`).
  if (f.actor !== undefined) all.push([member("actor", f.actor), member("id", f.actor)]);
  if (f.action !== undefined) all.push([member("action", f.action), member("name", f.action)]);
  if (f.approvalId !== undefined) all.push([member("approval_id", f.approvalId)]);
  if (f.decisionId !== undefined) all.push([member("decision_id", f.decisionId)]);
  if (f.outcome !== undefined) all.push([member("outcome", f.outcome)]);
  if (f.principal !== undefined)
    all.push(["caller", "actor", "on_behalf_of", "reviewer", "by", "id"].map((k) => member(k, f.principal as string)));
  if (all.length === 0) return () => true;
  return (line) => all.every((anyOf) => anyOf.some((text) => line.includes(text)));
}

/** True when the filter's `from` lies after this entry's time (beyond the clock-skew tolerance): nothing older can match. */
function startsAfter(line: string, f: AuditFilter): boolean {
  if (f.from === undefined) return false;
  const text = entryTimestampText(line);
  const ts = text === undefined ? null : parseTimestamp(text);
  return ts !== null && f.from > ts + CLOCK_SKEW_TOLERANCE_NS;
}

/** pastRange on an entry's text, reading only its timestamp. */
function pastRangeText(line: string, f: AuditFilter, newestFirst: boolean): boolean {
  if ((newestFirst ? f.from : f.to) === undefined) return false;
  const text = entryTimestampText(line);
  return text !== undefined && pastRange({ timestamp: text } as AuditEntry, f, newestFirst);
}

/** True once the scan has moved past the time range by more than the clock-skew tolerance. */
function pastRange(e: AuditEntry, f: AuditFilter, newestFirst: boolean): boolean {
  const bound = newestFirst ? f.from : f.to;
  if (bound === undefined) return false;
  const ts = parseTimestamp(e.timestamp);
  if (ts === null) return false;
  return newestFirst ? ts < bound - CLOCK_SKEW_TOLERANCE_NS : ts > bound + CLOCK_SKEW_TOLERANCE_NS;
}

function parse(rec: StoredRecord): AuditEntry | null {
  try {
    const v = JSON.parse(rec.line) as unknown;
    // Decision entries are matched and returned in full (`decisionView`): the subject members filters read are derived.
    return v !== null && typeof v === "object" && typeof (v as { type?: unknown }).type === "string" ? decisionView(v as AuditEntry) : null;
  } catch {
    return null;
  }
}

function compact<T extends object>(o: T): T {
  const out: { [key: string]: unknown } = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
