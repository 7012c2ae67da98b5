/**
 * How an entry's canonical JSON text is kept in the Redis Stream: field `z`, raw DEFLATE (RFC 1951) with a
 * preset dictionary of the trail's own member names and common values, or (older entries, and stores
 * opened with `compress: false`) field `e`, the text itself.
 *
 * Only storage changes: the hash covers the canonical text, and export, the file mirror, sinks and verify
 * see the text, byte for byte what `e` held. A decision entry of ~1,550 bytes (version 2; ~2,000 in
 * version 1) is kept in ~580. The dictionary is part of the stored format: entries written with it can only
 * be read with it, so it is never edited; a better one would be a new field name (`z2`) beside this one.
 */

import { deflateRawSync, inflateRawSync } from "node:zlib";

/** The stream field of an uncompressed entry. */
export const PLAIN_FIELD = "e";
/** The stream field of an entry deflated with DICTIONARY_V1. */
export const DEFLATE_FIELD = "z";

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
