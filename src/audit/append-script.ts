/**
 * The Lua script that appends to the trail: a compare-and-swap on the chain head, the XADDs and the new
 * signed head in one atomic step, with a turn that keeps a busy instance from starving the others.
 *
 * KEYS[1] the stream, KEYS[2] the head hash, KEYS[3] the turn.
 * ARGV[1], ARGV[2] the head the caller sealed against (seq, hash); ARGV[3], ARGV[4] the new head (seq,
 * hash); ARGV[5], ARGV[6] its key id and signature, both empty when this append is not a checkpoint;
 * ARGV[7] the caller's instance token; ARGV[8] the stream field the entries go in (`e` one entry's text,
 * `b` a pack of the append's entries, see `entry-codec.ts`); then pairs of (stream id, stored value), in seq
 * order: one pair per entry, or a single pair for a pack (at the id of its first entry's seq).
 *
 * The head hash holds `seq`, `hash` (the chain's end, what appends compare against) and `sseq`, `shash`,
 * `kid`, `sig` (the newest signed head, a checkpoint). A head written before checkpoints could lag has no
 * `sseq`: its `seq`/`hash` are the signed ones, and the first unsigned append copies them to `sseq`/`shash`.
 *
 * Replies:
 * - `{1}`: appended.
 * - `{0, seq, hash}`: the head is no longer the one sealed against (another instance appended). Nothing is
 *   written; the caller re-seals after the head returned and tries again. The loser also takes the turn
 *   (SET NX with a TTL of TURN_TTL_MS) unless someone holds it.
 * - `{2, seq, hash}`: another instance holds the turn; nothing is written; wait a moment and try again.
 *   The turn holder's next append goes through, which makes the race fair: without it, an instance whose
 *   appends happen to arrive first can win every round and starve another for as long as it is busy.
 * - `{-1, error}`: the first XADD was refused: the stream already holds ids past the head (a head that was
 *   deleted, or restored from an older backup). Nothing is written, and the trail refuses to write until
 *   someone looks.
 * Ids grow and the first XADD succeeded, so the later ones cannot fail: a batch is all or nothing. A pack
 * sits at its first seq's id, so the same XADD refuses it when the stream holds anything past the head.
 * When the append is a checkpoint, its last stream entry also carries the signed head (fields `kid`, `sig`),
 * a checkpoint that partial exports end on.
 */

import { RedisScript } from "../redis/redis-script";
import { GENESIS_HASH } from "./chain";

/** How long a turn lasts when its holder does not use it (crashed, or lost its connection). */
export const TURN_TTL_MS = 200;

/** The append script. */
export const APPEND_SCRIPT = new RedisScript(
  "countersign-audit-append",
  `
local cur = redis.call('HMGET', KEYS[2], 'seq', 'hash', 'sseq')
local seq, hash = cur[1], cur[2]
if not seq then
  seq = '0'
  hash = '${GENESIS_HASH}'
end
local turn = redis.call('GET', KEYS[3])
if turn and turn ~= ARGV[7] then
  return {2, seq, hash}
end
if seq ~= ARGV[1] or hash ~= ARGV[2] then
  redis.call('SET', KEYS[3], ARGV[7], 'PX', ${TURN_TTL_MS}, 'NX')
  return {0, seq, hash}
end
local signed = ARGV[6] ~= ''
local field = ARGV[8]
local last = #ARGV - 1
for i = 9, last, 2 do
  local r
  if signed and i == last then
    r = redis.pcall('XADD', KEYS[1], ARGV[i], field, ARGV[i + 1], 'kid', ARGV[5], 'sig', ARGV[6])
  else
    r = redis.pcall('XADD', KEYS[1], ARGV[i], field, ARGV[i + 1])
  end
  if type(r) == 'table' and r.err then
    if i == 9 then
      return {-1, r.err}
    end
    return redis.error_reply('audit append failed after a partial write: ' .. r.err)
  end
end
if signed then
  redis.call('HSET', KEYS[2], 'seq', ARGV[3], 'hash', ARGV[4], 'sseq', ARGV[3], 'shash', ARGV[4], 'kid', ARGV[5], 'sig', ARGV[6])
else
  if cur[1] and not cur[3] then
    redis.call('HSET', KEYS[2], 'sseq', cur[1], 'shash', cur[2])
  end
  redis.call('HSET', KEYS[2], 'seq', ARGV[3], 'hash', ARGV[4])
end
if turn then
  redis.call('DEL', KEYS[3])
end
return {1}
`,
);

/**
 * Signs the chain's end without appending (a checkpoint after a quiet spell): KEYS[1] the head hash;
 * ARGV[1], ARGV[2] the head signed (seq, hash); ARGV[3], ARGV[4] key id and signature. Replies 1 when the
 * head is still that one and now carries the signature, 0 when it has moved on (whoever moved it signs).
 */
export const SEAL_SCRIPT = new RedisScript(
  "countersign-audit-seal",
  `
local cur = redis.call('HMGET', KEYS[1], 'seq', 'hash')
if cur[1] ~= ARGV[1] or cur[2] ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'sseq', ARGV[1], 'shash', ARGV[2], 'kid', ARGV[3], 'sig', ARGV[4])
return 1
`,
);
