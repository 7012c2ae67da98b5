/**
 * The Lua script that spends a grant: the single-use marker (SET NX with a relative expiry) and the journal
 * entry standing for its `grant.redeemed` event, in one atomic step, so a crash between spending a grant and
 * recording its redemption leaves the journal entry for the recovery pass (`approval-journal.ts`).
 *
 * KEYS: the grant's used marker (a counter for a scoped grant), the journal. ARGV: now (ms), marker lifetime
 * (ms), approval id, the `grant.redeemed` event as JSON, the grant's uses (1: single use; 0: any number).
 * Reply: {"spent", journal id, use (from 1)} when this call spent a use; {"replayed"} when none is left.
 */

import { RedisScript } from "../redis/redis-script";

/** The spend script. */
export const GRANT_SPEND_SCRIPT = new RedisScript(
  "grant-spend",
  `
local max = tonumber(ARGV[5] or '1')
local use = 1
if max == 1 then
  if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {'replayed'} end
else
  use = redis.call('INCR', KEYS[1])
  if use == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
  if max > 0 and use > max then return {'replayed'} end
end
return {'spent', redis.call('XADD', KEYS[2], '*', 'k', 'grant.redeemed', 'id', ARGV[3], 'v', '0', 'e', ARGV[4]), use}
`,
);
