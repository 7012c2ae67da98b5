/**
 * The Lua scripts behind every approval state change. Each runs atomically in Redis, rechecks the state it
 * depends on, and publishes `<version> <status>` on the request's change channel when it changes anything,
 * so a long-poll on any instance wakes up exactly when the record changed (publishing inside the script
 * means no change can commit without its notification, nor the reverse).
 *
 * Replies are arrays whose first element is a word (`created`, `existing`, `ok`, `conflict`, `voted`,
 * `decided`, `expired_now`, `not_found`, ...) followed, where useful, by the request hash as HGETALL
 * returns it, so the caller never needs a second round trip.
 */

import { RedisScript } from "../redis/redis-script";

/**
 * Shared Lua: `finalize` moves a pending request to a final status (indexes, pending-action key, retention,
 * callback queue); `expire_if_due` expires a pending request whose time has come.
 */
const PRELUDE = `
local function finalize(key, id, status, now, retention_ms, pending_idx, expiry_idx, callbacks_due)
  redis.call('HSET', key, 'status', status, 'decided_at', now, 'updated_at', now)
  redis.call('ZREM', pending_idx, id)
  redis.call('ZREM', expiry_idx, id)
  local pending_key = redis.call('HGET', key, 'pending_key')
  if pending_key and redis.call('GET', pending_key) == id then redis.call('DEL', pending_key) end
  if retention_ms > 0 then
    redis.call('PEXPIRE', key, retention_ms)
    local idem_key = redis.call('HGET', key, 'idem_key')
    if idem_key then redis.call('PEXPIRE', idem_key, retention_ms) end
  end
  if redis.call('HEXISTS', key, 'callback') == 1 then
    redis.call('ZADD', callbacks_due, 'NX', now, id)
  end
end

local function announce(channel, key)
  local s = redis.call('HMGET', key, 'version', 'status')
  redis.call('PUBLISH', channel, s[1] .. ' ' .. s[2])
end

local function expire_now(key, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channel)
  redis.call('HINCRBY', key, 'version', 1)
  finalize(key, id, 'expired', now, retention_ms, pending_idx, expiry_idx, callbacks_due)
  announce(channel, key)
end
`;

/**
 * Create with idempotency, in one round trip.
 * KEYS: record, idempotency key (or ""), pending-action key, pending index, expiry index.
 * ARGV: id, core JSON, created_at, expires_at, has callback ("1"/"0"), record prefix, now.
 * Reply: {"existing", hash} for the request the idempotency key maps to, or for the caller's pending,
 * unexpired request for the same action digest; {"created"}; {"id_taken"} when the new id exists already.
 * A pending request past its expiry no longer absorbs new ones (the sweeper will expire it).
 */
export const CREATE_SCRIPT = new RedisScript(
  "approval-create",
  `
local record, idem, pending_action, pending_idx, expiry_idx = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local id, core, created_at, expires_at, has_callback, prefix = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local now = tonumber(ARGV[7])

if idem ~= '' then
  local known = redis.call('GET', idem)
  if known then
    local h = redis.call('HGETALL', prefix .. known)
    if #h > 0 then return {'existing', h} end
  end
end
local pending = redis.call('GET', pending_action)
if pending then
  local p = redis.call('HMGET', prefix .. pending, 'status', 'expires_at')
  if p[1] == 'pending' and tonumber(p[2]) > now then
    return {'existing', redis.call('HGETALL', prefix .. pending)}
  end
end
if redis.call('EXISTS', record) == 1 then return {'id_taken'} end

redis.call('HSET', record, 'core', core, 'status', 'pending', 'version', 1, 'created_at', created_at,
  'updated_at', created_at, 'expires_at', expires_at, 'verdicts', '[]', 'pending_key', pending_action)
if has_callback == '1' then redis.call('HSET', record, 'callback', '1') end
if idem ~= '' then
  redis.call('SET', idem, id)
  redis.call('HSET', record, 'idem_key', idem)
end
redis.call('SET', pending_action, id)
redis.call('ZADD', pending_idx, created_at, id)
redis.call('ZADD', expiry_idx, expires_at, id)
return {'created'}
`,
);

/**
 * Append a verdict and move to the status the caller computed, if the version is still the one it read.
 * KEYS: record, pending index, expiry index, callbacks due.
 * ARGV: id, expected version, voter field, verdict JSON, next status, now, retention ms, change channel.
 * Reply: {"ok", hash} | {"conflict"} | {"voted", hash} | {"decided", hash} | {"expired_now", hash} |
 * {"not_found"}. `expired_now` means this call found the request due and expired it.
 */
export const VERDICT_SCRIPT = new RedisScript(
  "approval-verdict",
  PRELUDE +
    `
local record, pending_idx, expiry_idx, callbacks_due = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, expected, voter, verdict, next_status = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now, retention_ms, channel = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]

if redis.call('EXISTS', record) == 0 then return {'not_found'} end
local s = redis.call('HMGET', record, 'status', 'version', 'expires_at', voter)
if s[4] then return {'voted', redis.call('HGETALL', record)} end
if s[1] ~= 'pending' then return {'decided', redis.call('HGETALL', record)} end
if tonumber(s[3]) <= now then
  expire_now(record, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channel)
  return {'expired_now', redis.call('HGETALL', record)}
end
if s[2] ~= expected then return {'conflict'} end

local verdicts = redis.call('HGET', record, 'verdicts')
if verdicts == '[]' then
  verdicts = '[' .. verdict .. ']'
else
  verdicts = string.sub(verdicts, 1, -2) .. ',' .. verdict .. ']'
end
redis.call('HSET', record, 'verdicts', verdicts, voter, '1', 'updated_at', now)
redis.call('HINCRBY', record, 'version', 1)
if next_status ~= 'pending' then
  finalize(record, id, next_status, now, retention_ms, pending_idx, expiry_idx, callbacks_due)
end
announce(channel, record)
return {'ok', redis.call('HGETALL', record)}
`,
);

/**
 * Cancel a pending request.
 * KEYS: record, pending index, expiry index, callbacks due.
 * ARGV: id, cancellation JSON, now, retention ms, change channel.
 * Reply: {"ok", hash} | {"decided", hash} | {"expired_now", hash} | {"not_found"}.
 */
export const CANCEL_SCRIPT = new RedisScript(
  "approval-cancel",
  PRELUDE +
    `
local record, pending_idx, expiry_idx, callbacks_due = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, cancellation, now, retention_ms, channel = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]

if redis.call('EXISTS', record) == 0 then return {'not_found'} end
local s = redis.call('HMGET', record, 'status', 'expires_at')
if s[1] ~= 'pending' then return {'decided', redis.call('HGETALL', record)} end
if tonumber(s[2]) <= now then
  expire_now(record, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channel)
  return {'expired_now', redis.call('HGETALL', record)}
end
redis.call('HSET', record, 'cancellation', cancellation)
redis.call('HINCRBY', record, 'version', 1)
finalize(record, id, 'cancelled', now, retention_ms, pending_idx, expiry_idx, callbacks_due)
announce(channel, record)
return {'ok', redis.call('HGETALL', record)}
`,
);

/**
 * Expire one request if it is pending and due.
 * KEYS: record, pending index, expiry index, callbacks due. ARGV: id, now, retention ms, change channel.
 * Reply: {"expired_now", hash} | {"unchanged"}.
 */
export const EXPIRE_ONE_SCRIPT = new RedisScript(
  "approval-expire-one",
  PRELUDE +
    `
local record, pending_idx, expiry_idx, callbacks_due = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local id, now, retention_ms, channel = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local s = redis.call('HMGET', record, 'status', 'expires_at')
if s[1] == 'pending' and tonumber(s[2]) <= now then
  expire_now(record, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channel)
  return {'expired_now', redis.call('HGETALL', record)}
end
return {'unchanged'}
`,
);

/**
 * Claim and expire every due request (up to a limit): each id is expired by exactly one caller.
 * KEYS: expiry index, pending index, callbacks due.
 * ARGV: now, limit, record prefix, retention ms, change channel prefix.
 * Reply: a flat array of hashes (one HGETALL array per request this call expired).
 */
export const EXPIRE_DUE_SCRIPT = new RedisScript(
  "approval-expire-due",
  PRELUDE +
    `
local expiry_idx, pending_idx, callbacks_due = KEYS[1], KEYS[2], KEYS[3]
local now, limit, prefix, retention_ms, channels = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5]
local out = {}
local ids = redis.call('ZRANGEBYSCORE', expiry_idx, '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(ids) do
  local record = prefix .. id
  local s = redis.call('HMGET', record, 'status', 'expires_at')
  if s[1] == 'pending' and tonumber(s[2]) <= now then
    expire_now(record, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channels .. id)
    table.insert(out, redis.call('HGETALL', record))
  else
    redis.call('ZREM', expiry_idx, id)
  end
end
return out
`,
);

/**
 * Attach the grant to an approved request, once.
 * KEYS: record. ARGV: grant JSON.
 * Reply: {"attached"} | {"existing", grant JSON} | {"not_approved"} | {"not_found"}.
 */
export const ATTACH_GRANT_SCRIPT = new RedisScript(
  "approval-attach-grant",
  `
local record, grant = KEYS[1], ARGV[1]
local status = redis.call('HGET', record, 'status')
if not status then return {'not_found'} end
if status ~= 'approved' then return {'not_approved'} end
if redis.call('HSETNX', record, 'grant', grant) == 1 then return {'attached'} end
return {'existing', redis.call('HGET', record, 'grant')}
`,
);

/**
 * Withdraw a request nobody has heard of yet: the decide use case stored it, then could not record the
 * decision that created it in the audit trail, so the request must not outlive the deny it answered.
 * Only a pending request at version 1 (untouched since creation) is removed, with its idempotency key and
 * pending-action key (when they still name it) and its index entries; nothing is published (no one can be
 * waiting on an id that was never handed out).
 * KEYS: record, pending index, expiry index. ARGV: id.
 * Reply: 1 when removed, 0 when the request is gone or has moved on.
 */
export const WITHDRAW_SCRIPT = new RedisScript(
  "approval-withdraw",
  `
local record, pending_idx, expiry_idx = KEYS[1], KEYS[2], KEYS[3]
local id = ARGV[1]
local s = redis.call('HMGET', record, 'status', 'version', 'pending_key', 'idem_key')
if s[1] ~= 'pending' or s[2] ~= '1' then return 0 end
if s[3] and redis.call('GET', s[3]) == id then redis.call('DEL', s[3]) end
if s[4] and redis.call('GET', s[4]) == id then redis.call('DEL', s[4]) end
redis.call('ZREM', pending_idx, id)
redis.call('ZREM', expiry_idx, id)
redis.call('DEL', record)
return 1
`,
);
