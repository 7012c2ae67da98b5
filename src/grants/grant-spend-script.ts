/**
 * The Lua script that spends a grant: the single-use marker (SET NX with a relative expiry) and the journal
 * entry standing for its `grant.redeemed` event, in one atomic step, so a crash between spending a grant and
 * recording its redemption leaves the journal entry for the recovery pass (`approval-journal.ts`).
 *
 * KEYS: the grant's used marker, the journal. ARGV: now (ms), marker lifetime (ms), approval id, the
 * `grant.redeemed` event as JSON.
 * Reply: {"spent", journal id} when this call spent it; {"replayed"} when it was spent before.
 */

import { RedisScript } from "../redis/redis-script";

/** The spend script. */
export const GRANT_SPEND_SCRIPT = new RedisScript(
  "grant-spend",
  `
if not redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then return {'replayed'} end
return {'spent', redis.call('XADD', KEYS[2], '*', 'k', 'grant.redeemed', 'id', ARGV[3], 'v', '0', 'e', ARGV[4])}
`,
);
