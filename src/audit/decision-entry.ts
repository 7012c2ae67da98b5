/**
 * The shape of a `decision` entry, stored and read: each fact is stored once (version 2, `"v": 2`), and
 * `decisionView` gives the entry back in full, with the members a reader derives from the stored ones.
 *
 * Version 1 entries (no `v`, written before) stored the request's subject twice (the projections `actor`,
 * `actor_type`, `on_behalf_of`, `action`, `resource` beside the `input` they were copied from), the answer
 * twice (`result` repeating `decision_id`, `outcome`, `reasons` and, as `policy`, the `bundles` revision), the
 * caller twice (`caller` and `input.caller.id`) and the default entrypoint `path` on every entry: about a quarter of an allow entry's bytes, hashed,
 * canonicalised and written per decision. A version 2 entry leaves out every member the view below derives
 * exactly, and keeps one only where it differs from the derivation (a masked `caller`, another `path`).
 *
 * Derivation rules (`decisionView`), which are part of the stored format and therefore never change for `v: 2`:
 * - `actor`, `actor_type`, `on_behalf_of`: `input.actor.{id,type,on_behalf_of}` when it is a string (a
 *   masked value is a `{"$masked": …}` object, so a masked member is not projected, as in version 1);
 *   `action`: `input.action.name`; `resource`: `{type, id, environment}` of `input.resource`, the string
 *   ones, absent when none is.
 * - `caller`: the stored `caller`, else `input.caller.id`.
 * - `path`: the stored `path`, else `countersign/decision`.
 * - `result`: `{decision_id, outcome, reasons, mask: [], policy}` (policy: the one `bundles` member as
 *   `{bundle, revision}`, null when `bundles` is empty), then the stored `result` members over it (those of
 *   the answer that are not derivable: `approval`, `grant`, `break_glass`, `code`, a non-empty `mask`).
 *
 * `approval_id` stays stored at the top (the answer names it too): it joins a decision to its approval and
 * grant events in every event type, and collectors reading the stored lines key on it.
 *
 * The hash covers the stored text, so a view is for reading (queries, the console, replay); export, verify,
 * sinks and archives carry the stored entries byte for byte.
 */

import { DECISION_ENTRYPOINT } from "../bundle/bundle-build";

/** The version of the decision entry shape written now. */
export const DECISION_ENTRY_VERSION = 2;

type Json = { readonly [key: string]: unknown };

/**
 * The entry in full: a version 2 decision entry with its derived members filled in; any other entry (a
 * version 1 decision, another event type, something that is not an entry) as it is. Seq, hashes and
 * every stored member are kept, so `v` still tells which shape was stored.
 */
export function decisionView<T extends object>(entry: T): T {
  const e = entry as unknown as Json;
  if (e["type"] !== "decision" || e["v"] !== DECISION_ENTRY_VERSION) return entry;
  const input = record(e["input"]);
  const actor = record(input["actor"]);
  const resource = compact({
    type: text(record(input["resource"])["type"]),
    id: text(record(input["resource"])["id"]),
    environment: text(record(input["resource"])["environment"]),
  });
  const result = { ...derivedResult(e), ...record(e["result"]) };
  return compact({
    ...e,
    caller: text(e["caller"]) ?? text(record(input["caller"])["id"]),
    path: text(e["path"]) ?? DECISION_ENTRYPOINT,
    actor: text(actor["id"]),
    actor_type: text(actor["type"]),
    on_behalf_of: text(actor["on_behalf_of"]),
    action: text(record(input["action"])["name"]),
    resource: Object.keys(resource).length === 0 ? undefined : resource,
    result,
  }) as unknown as T;
}

/** The members of `result` that a view derives from the rest of a decision entry. */
export function derivedResult(e: {
  readonly decision_id?: unknown;
  readonly outcome?: unknown;
  readonly reasons?: unknown;
  readonly bundles?: unknown;
}): Json {
  return { decision_id: e.decision_id, outcome: e.outcome, reasons: e.reasons, mask: [], policy: policyOf(e.bundles) };
}

/** `{bundle, revision}` of the one bundle in `bundles`, null when there is none. */
function policyOf(bundles: unknown): { bundle: string; revision: string } | null {
  const entries = Object.entries(record(bundles));
  if (entries.length !== 1) return null;
  const [bundle, v] = entries[0] as [string, { revision: string }];
  return typeof v?.revision === "string" ? { bundle, revision: v.revision } : null;
}

function text(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

function record(value: unknown): Json {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : {};
}

function compact<T extends object>(o: T): T {
  const out: { [key: string]: unknown } = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}
