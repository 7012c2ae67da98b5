/**
 * How entries' texts are kept in the Redis Stream, in one of three stream fields:
 * - `b` (a pack, what stores opened with `compress: true` write): the texts of one append's entries, in seq
 *   order, joined by "\n" (JSON text as the trail writes it never holds a raw newline) and deflated
 *   together, raw DEFLATE (RFC 1951) with the preset dictionary below. Entries of one append share most of their text, so a pack
 *   of 8 decisions keeps each in ~210 bytes and one of 32 in ~150 (one alone: ~580);
 * - `z` (older entries): one entry's text deflated the same way, on its own;
 * - `e` (stores opened with `compress: false`, and older entries): one entry's text itself.
 *
 * Only storage changes: the hash covers the entry's text, and export, the file mirror, sinks and verify
 * see the text, byte for byte what `e` held. The dictionary is part of the stored format: entries written
 * with it can only be read with it, so it is never edited; a better one would be a new field name beside
 * these.
 */

import { deflateRaw, deflateRawSync, inflateRawSync } from "node:zlib";

/** The stream field of an uncompressed entry. */
export const PLAIN_FIELD = "e";
/** The stream field of an entry deflated with DICTIONARY_V1. */
export const DEFLATE_FIELD = "z";
/** The stream field of a pack: one append's entries deflated together with DICTIONARY_V1. */
export const PACK_FIELD = "b";

/**
 * The preset dictionary (version 1): text an entry is likely to repeat, the most common last (DEFLATE
 * reaches nearer matches with shorter codes). Never edit it: stored entries depend on every byte.
 */
const DICTIONARY_V1 = Buffer.from(
  [
    '"type":"approval.created"',
    '"type":"approval.verdict","channel":"teams","verdict":"approve"',
    '"type":"approval.final","approvers":["',
    '"type":"grant.issued","grant_id":"',
    '"type":"grant.redeemed","via":"decide"',
    '"type":"bundle.activated","bundle":"',
    '"action_digest":"',
    '"expires_at":"',
    '"reviewer":"user:',
    '"quorum":1,"reviewers":{"roles":["',
    '"on_behalf_of":"user:',
    '"break_glass":{"justification":"',
    '"failure":{"code":"COUNTERSIGN_',
    '"masked":["/input/',
    '{"$masked":"sha256:',
    '"approval_id":"',
    '"outcome":"deny"',
    '"outcome":"require_approval","approval":{"created":true,"id":"',
    '"previous_revision":"',
    '"policy":{"bundle":"countersign","revision":"',
    '"mask":[],',
    '"reasons":["',
    '"resource":{"environment":"production","id":"',
    '"labels":{"',
    '"metrics":{"timer_eval_ns":',
    '"outcome":"allow","path":"countersign/decision","prev_hash":"',
    '"input":{"action":{"name":"',
    '"params":{',
    '"actor":{"id":"svc:',
    '"caller":{"id":"svc:',
    '"kind":"service","roles":[]},"context":{',
    '"idempotency_key":"',
    '"now":"20',
    '"labels":{"id":"',
    '"seq":',
    '"timestamp":"20',
    '"type":"decision"}',
    '"hash":"',
    '"decision_id":"',
    '"actor":"svc:',
    '"actor_type":"',
    '"caller":"svc:',
    '{"action":"',
    '"bundles":{"countersign":{"revision":"',
  ].join(""),
  "utf8",
);

/** zlib settings: level 6 gains ~5 % over level 1 on decision entries at about the same CPU; a 4 KB window covers any entry's repeats. */
const OPTIONS = { level: 6, windowBits: 12, memLevel: 6, dictionary: DICTIONARY_V1 } as const;

/** The stored bytes of an entry text. */
export function encodeEntry(line: string): Buffer {
  return deflateRawSync(Buffer.from(line, "utf8"), OPTIONS);
}

/** The entry text from stored bytes; throws when they are not a deflated entry. */
export function decodeEntry(stored: Buffer): string {
  return inflateRawSync(stored, { windowBits: OPTIONS.windowBits, dictionary: DICTIONARY_V1 }).toString("utf8");
}

/**
 * Pack settings: level 3 compresses a pack of decisions as well as level 6 (within 2 %) at about half the
 * CPU, and a 32 KB window lets each entry refer back to the ones before it in the pack.
 */
const PACK_OPTIONS = { level: 3, windowBits: 15, memLevel: 8, dictionary: DICTIONARY_V1 } as const;

/** The stored bytes of a pack of entry texts (at least one, in seq order). */
export function encodePack(lines: readonly string[]): Buffer {
  return deflateRawSync(packText(lines), PACK_OPTIONS);
}

/** The entry texts of a pack, in seq order; throws when the bytes are not a deflated pack. */
export function decodePack(stored: Buffer): string[] {
  return inflateRawSync(stored, { windowBits: PACK_OPTIONS.windowBits, dictionary: DICTIONARY_V1 }).toString("utf8").split("\n");
}

/** `encodePack` on libuv's thread pool: the deflating itself leaves the event loop. */
export function encodePackAsync(lines: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    deflateRaw(packText(lines), PACK_OPTIONS, (err, out) => (err === null ? resolve(out) : reject(err)));
  });
}

/** The longest lone entry text (characters) `encodePackWhereCheapest` deflates on the event loop. */
export const INLINE_PACK_MAX_CHARS = 16 * 1024;

/**
 * `encodePack` where it costs least. A lone entry of at most INLINE_PACK_MAX_CHARS (a quiet service, one
 * decision at a time) is deflated on the event loop: about 16 µs for a 1 KB decision, where handing it to
 * the thread pool and waking up for the answer took 80 µs on an idle process and 150 µs in the service (the
 * MCP gateway's allowed call, one at a time). Several entries (requests are queuing) or a large one go to
 * the thread pool, so that the event loop keeps serving.
 */
export function encodePackWhereCheapest(lines: readonly string[]): Buffer | Promise<Buffer> {
  return lines.length === 1 && (lines[0] as string).length <= INLINE_PACK_MAX_CHARS ? encodePack(lines) : encodePackAsync(lines);
}

/** The bytes a pack deflates: the texts joined by newlines. */
function packText(lines: readonly string[]): Buffer {
  if (lines.length === 0) throw new TypeError("a pack holds at least one entry");
  return Buffer.from(lines.join("\n"), "utf8");
}
