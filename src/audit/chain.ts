/**
 * The hash chain: entries `{hash, …event, prev_hash, seq}` where `prev_hash` is the previous entry's hash (64
 * zeros for seq 1) and `hash` is SHA-256 (hex) over the entry's own text without it. Changing, removing or
 * reordering any entry breaks every link after it; the signed head (`head-signature.ts`) pins the last one.
 *
 * An entry's text is written once and never re-serialised: `{"hash":"<hex>",` and then the rest, whose text
 * `{…}` is what the hash covers. The rest is canonical JSON (RFC 8785: members in code-unit order), except
 * that a member whose value's JSON text was already written (a decision's policy input, as the Wasm
 * evaluation was handed it, `src/json/json-text-memo.ts`) keeps that text verbatim: the entry then records
 * exactly what the policy read, and the input is not written a second time. Verifiers hash the text they
 * read. Entries written before this (version 2 trails) are canonical JSON with `hash` in its sorted place
 * and hash the canonical text of the entry without `hash`; `verify.ts` checks either (`entryHashOf`).
 *
 * The members of an event are written once, when it is recorded; sealing it at a position then only merges
 * the chain members into place, so an append that loses a race re-seals without writing the event again.
 */

import { createHash, hash as oneShotHash } from "node:crypto";
import type { AuditEvent } from "./audit-event";
import { canonicalJson, memberPrefix } from "../json/canonical-json";
import { rememberedJsonText } from "../json/json-text-memo";

/** `prev_hash` of the first entry. */
export const GENESIS_HASH = "0".repeat(64);

/** The last entry of a chain: its sequence number and hash (seq 0 and GENESIS_HASH for an empty chain). */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

/** The head of an empty chain. */
export const EMPTY_HEAD: ChainHead = { seq: 0, hash: GENESIS_HASH };

/** The members the chain adds to an event. */
export interface ChainLink {
  /** 1 for the first entry, then +1 without gaps. */
  readonly seq: number;
  readonly prev_hash: string;
  readonly hash: string;
}

/** A stored entry: an event and its place in the chain. */
export type AuditEntry = AuditEvent & ChainLink;

/** Member names the chain owns; an event may not carry them. Hashes are hex, so they need no escaping. */
const CHAIN_KEYS = new Set(["seq", "prev_hash", "hash"]);

/**
 * An event canonicalised member by member, with its members already grouped around the places the chain
 * members go (`hash` < `prev_hash` < `seq` in JCS order): sealing is then a handful of concatenations.
 */
export interface PreparedEvent {
  readonly event: AuditEvent;
  /** `"name":value` texts of the members sorting before `hash`, between `hash` and `prev_hash`, between `prev_hash` and `seq`, after `seq`. */
  readonly segments: readonly [string, string, string, string];
}

/** Canonicalises an event's members once, so that it can be sealed at any position. */
export function prepareEvent(event: AuditEvent): PreparedEvent {
  const keys = Object.keys(event).sort();
  const segments: [string, string, string, string] = ["", "", "", ""];
  for (const key of keys) {
    const value = (event as unknown as { readonly [key: string]: unknown })[key];
    if (value === undefined) continue;
    if (CHAIN_KEYS.has(key)) throw new TypeError(`an audit event may not carry the chain member ${JSON.stringify(key)}`);
    const group = key < "hash" ? 0 : key < "prev_hash" ? 1 : key < "seq" ? 2 : 3;
    const text = rememberedJsonText(value)?.text ?? canonicalJson(value);
    segments[group] += (segments[group] === "" ? "" : ",") + memberPrefix(key) + text;
  }
  return { event, segments };
}

/** An entry sealed at a position: its link, and its canonical JSON text (with `hash`) as stored and exported. */
export interface SealedEntry {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly line: string;
  readonly event: AuditEvent;
}

/** Seals one event directly after `prev`. */
export function sealEntry(prev: ChainHead, prepared: PreparedEvent): SealedEntry {
  const seq = prev.seq + 1;
  const [a, b, c, d] = prepared.segments;
  const prevMember = `"prev_hash":"${prev.hash}"`;
  const seqMember = `"seq":${seq}`;
  const rest = objectText([a, b, prevMember, c, seqMember, d]);
  const hash = sha256Hex(rest);
  const line = `{"hash":"${hash}",${rest.slice(1)}`;
  return { seq, prevHash: prev.hash, hash, line, event: prepared.event };
}

/** Seals events in order after `head`; the last one's link is the new head. */
export function sealBatch(head: ChainHead, prepared: readonly PreparedEvent[]): SealedEntry[] {
  const sealed: SealedEntry[] = [];
  let prev = head;
  for (const p of prepared) {
    const entry = sealEntry(prev, p);
    sealed.push(entry);
    prev = entry;
  }
  return sealed;
}

/** The length of `{"hash":"<64 hex>",`, the start of every entry written hash first. */
const HASH_FIRST_PREFIX = 75;

/**
 * The hash an entry's text should carry: for an entry written hash first, SHA-256 over `{` and the text after
 * its hash member; for an older entry, `computeEntryHash` of its parsed value. Null when the text starts with
 * a hash member that is not the entry's `hash` (a duplicated member: tampering).
 */
export function entryHashOf(text: string, entry: { readonly hash?: unknown; readonly [key: string]: unknown }): string | null {
  if (text.startsWith('{"hash":"') && text.length > HASH_FIRST_PREFIX && text.slice(73, HASH_FIRST_PREFIX) === '",') {
    if (text.slice(9, 73) !== entry.hash) return null;
    return sha256Hex("{" + text.slice(HASH_FIRST_PREFIX));
  }
  return computeEntryHash(entry);
}

/** The hash a version 2 entry carries: SHA-256 over the canonical JSON of the entry without `hash`. */
export function computeEntryHash(entry: { readonly [key: string]: unknown }): string {
  const { hash: _ignored, ...rest } = entry;
  return sha256Hex(canonicalJson(rest));
}

/** Lower-case hex SHA-256 of UTF-8 text (Node's one-shot `crypto.hash` where there is one: ~40 % less per entry). */
export const sha256Hex: (text: string) => string =
  typeof oneShotHash === "function"
    ? (text) => oneShotHash("sha256", text, "hex")
    : (text) => createHash("sha256").update(text, "utf8").digest("hex");

/** True for a 64-digit lower-case hex string (the form every hash in the trail takes). */
export function isHashText(value: unknown): value is string {
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
}

/** `{…}` of member texts in order, skipping empty segments. */
function objectText(parts: readonly string[]): string {
  let out = "{";
  for (const part of parts) {
    if (part === "") continue;
    if (out.length > 1) out += ",";
    out += part;
  }
  return out + "}";
}
