/**
 * The Lua script that appends to the trail: a compare-and-swap on the chain head, the XADDs and the new
 * signed head in one atomic step.
 *
 * KEYS[1] the stream, KEYS[2] the head hash.
 * ARGV[1], ARGV[2] the head the caller read (seq, hash); ARGV[3], ARGV[4] the new head (seq, hash);
 * ARGV[5], ARGV[6] its key id and signature; then pairs of (stream id, entry text), in seq order.
 *
 * Replies `{1}` when appended; `{0, seq, hash}` with the actual head when it is no longer the one read
 * (nothing written: the caller re-seals and retries); `{-1, error}` when the first XADD is refused, which
 * means the stream already holds ids past the head (a head that was deleted or restored from an older
 * backup; nothing written, and the trail refuses to write until someone looks). Ids are consecutive and the
 * first XADD succeeded, so the later ones cannot fail: a batch is all or nothing. The last entry of the batch
 * also carries the signed head (fields `kid`, `sig`), a checkpoint that partial exports end on.
 */

import { RedisScript } from "../redis/redis-script";
import { GENESIS_HASH } from "./chain";

/** The append script. */
export const APPEND_SCRIPT = new RedisScript(
  "countersign-audit-append",
  `
local cur = redis.call('HMGET', KEYS[2], 'seq', 'hash')
local seq, hash = cur[1], cur[2]
if not seq then
  seq = '0'
  hash = '${GENESIS_HASH}'
end
if seq ~= ARGV[1] or hash ~= ARGV[2] then
  return {0, seq, hash}
end
local last = #ARGV - 1
for i = 7, last, 2 do
  local r
  if i == last then
    r = redis.pcall('XADD', KEYS[1], ARGV[i], 'e', ARGV[i + 1], 'kid', ARGV[5], 'sig', ARGV[6])
  else
    r = redis.pcall('XADD', KEYS[1], ARGV[i], 'e', ARGV[i + 1])
  end
  if type(r) == 'table' and r.err then
    if i == 7 then
      return {-1, r.err}
    end
    return redis.error_reply('audit append failed after a partial write: ' .. r.err)
  end
end
redis.call('HSET', KEYS[2], 'seq', ARGV[3], 'hash', ARGV[4], 'kid', ARGV[5], 'sig', ARGV[6])
return {1}
`,
);
