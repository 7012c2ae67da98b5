/**
 * The Lua scripts behind every approval state change. Each runs atomically in Redis, rechecks the state it
 * depends on, and publishes `<version> <status>` on the request's change channel when it changes anything,
 * so a long-poll on any instance wakes up exactly when the record changed (publishing inside the script
 * means no change can commit without its notification, nor the reverse).
 *
 * Replies are arrays whose first element is a word (`created`, `existing`, `ok`, `conflict`, `voted`,
 * `decided`, `expired_now`, `not_found`, ...) followed, where useful, by the request hash as HGETALL
 * returns it, so the caller never needs a second round trip.
 *
 * The journal: every change that the audit trail must record also appends an entry to the journal stream
 * (`approval-journal.ts`) in the same atomic step, and the reply carries the entries' ids last. The audit
 * listener deletes an entry once its event is recorded; whatever is left after a crash is recorded by the
 * recovery pass. A new request is also marked `unrecorded` until its creating decision is recorded
 * (MARK_RECORDED_SCRIPT): until then no verdict or cancel touches it and the inbox does not list it.
 */

import { RedisScript } from "../redis/redis-script";

/**
 * Shared Lua: `finalize` moves a pending request to a final status (indexes, pending-action key, retention,
 * callback queue); `expire_if_due` expires a pending request whose time has come.
 */
const PRELUDE = `
local function journal_add(journal, kind, id, version)
  return redis.call('XADD', journal, '*', 'k', kind, 'id', id, 'v', version)
end

local function notify_add(notify, kind, id, version)
  if notify ~= '' then redis.call('XADD', notify, '*', 'k', kind, 'id', id, 'v', version) end
end

local function unindex(key, id)
  local idx = redis.call('HGET', key, 'idx')
  if idx then
    for _, k in ipairs(cjson.decode(idx)) do redis.call('ZREM', k, id) end
  end
end

local function finalize(key, id, status, now, retention_ms, pending_idx, expiry_idx, callbacks_due, journal, notify)
  redis.call('HSET', key, 'status', status, 'decided_at', now, 'updated_at', now)
  redis.call('ZREM', pending_idx, id)
  redis.call('ZREM', expiry_idx, id)
  unindex(key, id)
  local pending_key = redis.call('HGET', key, 'pending_key')
  if pending_key and redis.call('GET', pending_key) == id then
    -- An approved request keeps answering its action until its grant is spent or expires (CREATE_SCRIPT).
    if status == 'approved' and retention_ms > 0 then redis.call('PEXPIRE', pending_key, retention_ms)
    elseif status ~= 'approved' then redis.call('DEL', pending_key) end
  end
  if retention_ms > 0 then
    redis.call('PEXPIRE', key, retention_ms)
    local idem_key = redis.call('HGET', key, 'idem_key')
    if idem_key then redis.call('PEXPIRE', idem_key, retention_ms) end
  end
  if redis.call('HEXISTS', key, 'callback') == 1 then
    redis.call('ZADD', callbacks_due, 'NX', now, id)
  end
  local version = redis.call('HGET', key, 'version')
  notify_add(notify, 'changed', id, version)
  return journal_add(journal, 'final', id, version)
end

local function announce(channel, key)
  local s = redis.call('HMGET', key, 'version', 'status')
  redis.call('PUBLISH', channel, s[1] .. ' ' .. s[2])
end

local function expire_now(key, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channel, journal, notify)
  redis.call('HINCRBY', key, 'version', 1)
  local jid = finalize(key, id, 'expired', now, retention_ms, pending_idx, expiry_idx, callbacks_due, journal, notify)
  announce(channel, key)
  return jid
end
`;

/**
 * Shared Lua: the requester history (`approvals:requested:<identity>`, every id a person asked for, kept as
 * long as the record). Records leave by their retention TTL, with no script running, so each history has a
 * pruning queue (`requested-until`, by when the record is due to be gone): `history_prune` takes up to
 * `limit` ids due by `now`, removes those whose record is gone, and pushes the others on by the retention
 * (a request finalized late, e.g. by a sweeper that was down, lives longer than its expiry plus retention).
 */
const HISTORY = `
local function history_prune(requested, until_key, now, retention_ms, prefix, limit)
  local later = now + (retention_ms > 0 and retention_ms or 86400000)
  local n = 0
  for _, old in ipairs(redis.call('ZRANGEBYSCORE', until_key, '-inf', now, 'LIMIT', 0, limit)) do
    if redis.call('EXISTS', prefix .. old) == 0 then
      redis.call('ZREM', requested, old)
      redis.call('ZREM', until_key, old)
      n = n + 1
    else
      redis.call('ZADD', until_key, later, old)
    end
  end
  return n
end

local function history_add(record, id, pairs_json, created_at, until_at, now, retention_ms, prefix)
  local keys = {}
  for _, pair in ipairs(cjson.decode(pairs_json)) do
    redis.call('ZADD', pair[1], created_at, id)
    table.insert(keys, pair[1])
    if retention_ms > 0 then
      history_prune(pair[1], pair[2], now, retention_ms, prefix, 16)
      redis.call('ZADD', pair[2], until_at, id)
      table.insert(keys, pair[2])
    end
  end
  redis.call('HSET', record, 'hist', cjson.encode(keys))
end
`;

/**
 * Create with idempotency, in one round trip.
 * KEYS: record, idempotency key (or ""), pending-action key, pending index, expiry index, journal,
 * unrecorded index, timers.
 * ARGV: id, core JSON, created_at, expires_at, has callback ("1"/"0"), record prefix, now, inbox index keys
 * (JSON array: the role and requester indexes that list the request while it is pending), when the first
 * reminder or escalation is due ("" for none), the role index keys each escalation rung adds (JSON array of
 * arrays), the prefix of the grants' used markers, the requester history keys (JSON array of
 * `[requested, requested-until]` pairs, one per requester identity), retention ms.
 * Reply: {"existing", hash} for the request the idempotency key maps to, for the caller's pending,
 * unexpired request for the same action digest, or for the caller's approved request for it whose grant is
 * issued, unexpired and never used (so a caller that lost the answer, e.g. a restarted MCP gateway, picks up
 * the approval instead of asking again); {"created", {journal id}}; {"id_taken"} when the new id
 * exists already. A pending request past its expiry no longer absorbs new ones (the sweeper will expire it).
 * A new request is `unrecorded` (field and index) until MARK_RECORDED_SCRIPT. It joins its requesters'
 * histories in the same step (and each history sheds up to 16 ids whose record is gone), so a history never
 * lacks a stored request nor names one that was never stored.
 */
export const CREATE_SCRIPT = new RedisScript(
  "approval-create",
  PRELUDE +
    HISTORY +
    `
local record, idem, pending_action, pending_idx, expiry_idx = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local journal, unrecorded_idx, timers = KEYS[6], KEYS[7], KEYS[8]
local idx, first_timer, esc_idx, used_prefix = ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local history, retention_ms = ARGV[12], tonumber(ARGV[13])
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
  local p = redis.call('HMGET', prefix .. pending, 'status', 'expires_at', 'grant')
  if p[1] == 'pending' and tonumber(p[2]) > now then
    return {'existing', redis.call('HGETALL', prefix .. pending)}
  end
  -- Approved, its grant issued and never used, and not expired: the caller already holds what it asks for.
  if p[1] == 'approved' and p[3] then
    local g = cjson.decode(p[3])
    if type(g.jti) == 'string' and tonumber(g.expiresAt) and tonumber(g.expiresAt) > now and redis.call('EXISTS', used_prefix .. g.jti) == 0 then
      return {'existing', redis.call('HGETALL', prefix .. pending)}
    end
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
for _, k in ipairs(cjson.decode(idx)) do redis.call('ZADD', k, created_at, id) end
redis.call('HSET', record, 'idx', idx)
if first_timer ~= '' then
  redis.call('ZADD', timers, first_timer, id)
  redis.call('HSET', record, 'esc_idx', esc_idx, 'reminders', 0, 'escalation', 0)
end
history_add(record, id, history, created_at, tonumber(expires_at) + retention_ms, now, retention_ms, prefix)
local jid = journal_add(journal, 'created', id, 1)
redis.call('HSET', record, 'unrecorded', '1', 'journal_created', jid)
redis.call('ZADD', unrecorded_idx, created_at, id)
return {'created', {jid}}
`,
);

/**
 * Lists a pending request created before the inbox indexes existed in them (`RedisApprovalStore.indexUnindexed`).
 * KEYS: record. ARGV: id, index keys (JSON array). Reply: 1 when indexed now, 0 when not pending or indexed already.
 */
export const INDEX_SCRIPT = new RedisScript(
  "approval-index",
  `
local s = redis.call('HMGET', KEYS[1], 'status', 'idx', 'created_at')
if s[1] ~= 'pending' or s[2] then return 0 end
for _, k in ipairs(cjson.decode(ARGV[2])) do redis.call('ZADD', k, s[3], ARGV[1]) end
redis.call('HSET', KEYS[1], 'idx', ARGV[2])
return 1
`,
);

/**
 * Lists a request stored before the requester history existed in its requesters' histories
 * (`RedisApprovalStore.indexHistory`): due to be gone when its retention TTL says, or, still pending, at its
 * expiry plus the retention.
 * KEYS: record. ARGV: id, history keys (JSON array of `[requested, requested-until]` pairs), now, retention
 * ms, record prefix. Reply: 1 when listed now, 0 when gone or listed already.
 */
export const HISTORY_INDEX_SCRIPT = new RedisScript(
  "approval-history-index",
  HISTORY +
    `
local record, id, now, retention_ms, prefix = KEYS[1], ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
local s = redis.call('HMGET', record, 'core', 'hist', 'created_at', 'expires_at', 'status')
if not s[1] or s[2] then return 0 end
local ttl = redis.call('PTTL', record)
local until_at = math.max(tonumber(s[4]), now) + retention_ms
if s[5] ~= 'pending' and ttl > 0 then until_at = now + ttl end
history_add(record, id, ARGV[2], s[3], until_at, now, retention_ms, prefix)
return 1
`,
);

/**
 * Sheds from one requester history up to `limit` ids whose record is gone (those due in its pruning queue).
 * KEYS: requested, requested-until. ARGV: now, retention ms, record prefix, limit. Reply: how many it removed.
 */
export const HISTORY_PRUNE_SCRIPT = new RedisScript(
  "approval-history-prune",
  HISTORY +
    `
return history_prune(KEYS[1], KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]))
`,
);

/**
 * The creating decision of a request is recorded: the request may now be seen, decided and cancelled, and
 * reviewers are told (a `created` notification, when notifications are on).
 * KEYS: record, unrecorded index, notification outbox (or ""). ARGV: id. Reply: 1 when the mark was cleared.
 */
export const MARK_RECORDED_SCRIPT = new RedisScript(
  "approval-mark-recorded",
  PRELUDE +
    `
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HDEL', KEYS[1], 'unrecorded') == 0 then return 0 end
notify_add(KEYS[3], 'created', ARGV[1], redis.call('HGET', KEYS[1], 'version'))
return 1
`,
);

/**
 * Append a verdict and move to the status the caller computed, if the version is still the one it read.
 * KEYS: record, pending index, expiry index, callbacks due, journal, notification outbox (or "").
 * ARGV: id, expected version, voter field, verdict JSON, next status, now, retention ms, change channel, the
 * reviewer's voted index key (the request leaves the reviewer's inbox).
 * Reply: {"ok", hash, {journal ids}} | {"conflict"} | {"voted", hash} | {"decided", hash} |
 * {"expired_now", hash, {journal id}} | {"not_found"}. `expired_now` means this call found the request due
 * and expired it. A request whose creating decision is not recorded yet is "not_found".
 */
export const VERDICT_SCRIPT = new RedisScript(
  "approval-verdict",
  PRELUDE +
    `
local record, pending_idx, expiry_idx, callbacks_due, journal, notify = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id, expected, voter, verdict, next_status = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now, retention_ms, channel, voted_idx = tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8], ARGV[9]

if redis.call('EXISTS', record) == 0 then return {'not_found'} end
local s = redis.call('HMGET', record, 'status', 'version', 'expires_at', voter, 'unrecorded')
if s[5] then return {'not_found'} end
if s[4] then return {'voted', redis.call('HGETALL', record)} end
if s[1] ~= 'pending' then return {'decided', redis.call('HGETALL', record)} end
if tonumber(s[3]) <= now then
  local jid = expire_now(record, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channel, journal, notify)
  return {'expired_now', redis.call('HGETALL', record), {jid}}
end
if s[2] ~= expected then return {'conflict'} end

local verdicts = redis.call('HGET', record, 'verdicts')
if verdicts == '[]' then
  verdicts = '[' .. verdict .. ']'
else
  verdicts = string.sub(verdicts, 1, -2) .. ',' .. verdict .. ']'
end
redis.call('HSET', record, 'verdicts', verdicts, voter, '1', 'updated_at', now)
local idx = cjson.decode(redis.call('HGET', record, 'idx') or '[]')
table.insert(idx, voted_idx)
redis.call('HSET', record, 'idx', cjson.encode(idx))
redis.call('ZADD', voted_idx, redis.call('HGET', record, 'created_at'), id)
local version = redis.call('HINCRBY', record, 'version', 1)
local jids = {journal_add(journal, 'verdict', id, version)}
if next_status == 'pending' then notify_add(notify, 'changed', id, version) end
if next_status ~= 'pending' then
  table.insert(jids, finalize(record, id, next_status, now, retention_ms, pending_idx, expiry_idx, callbacks_due, journal, notify))
end
announce(channel, record)
return {'ok', redis.call('HGETALL', record), jids}
`,
);

/**
 * Cancel a pending request.
 * KEYS: record, pending index, expiry index, callbacks due, journal, notification outbox (or "").
 * ARGV: id, cancellation JSON, now, retention ms, change channel.
 * Reply: {"ok", hash, {journal id}} | {"decided", hash} | {"expired_now", hash, {journal id}} | {"not_found"}.
 */
export const CANCEL_SCRIPT = new RedisScript(
  "approval-cancel",
  PRELUDE +
    `
local record, pending_idx, expiry_idx, callbacks_due, journal, notify = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id, cancellation, now, retention_ms, channel = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]

if redis.call('EXISTS', record) == 0 then return {'not_found'} end
local s = redis.call('HMGET', record, 'status', 'expires_at', 'unrecorded')
if s[3] then return {'not_found'} end
if s[1] ~= 'pending' then return {'decided', redis.call('HGETALL', record)} end
if tonumber(s[2]) <= now then
  local jid = expire_now(record, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channel, journal, notify)
  return {'expired_now', redis.call('HGETALL', record), {jid}}
end
redis.call('HSET', record, 'cancellation', cancellation)
redis.call('HINCRBY', record, 'version', 1)
local jid = finalize(record, id, 'cancelled', now, retention_ms, pending_idx, expiry_idx, callbacks_due, journal, notify)
announce(channel, record)
return {'ok', redis.call('HGETALL', record), {jid}}
`,
);

/**
 * Expire one request if it is pending and due.
 * KEYS: record, pending index, expiry index, callbacks due, journal, notification outbox (or "").
 * ARGV: id, now, retention ms, change channel.
 * Reply: {"expired_now", hash, {journal id}} | {"unchanged"}.
 */
export const EXPIRE_ONE_SCRIPT = new RedisScript(
  "approval-expire-one",
  PRELUDE +
    `
local record, pending_idx, expiry_idx, callbacks_due, journal, notify = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id, now, retention_ms, channel = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local s = redis.call('HMGET', record, 'status', 'expires_at')
if s[1] == 'pending' and tonumber(s[2]) <= now then
  local jid = expire_now(record, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channel, journal, notify)
  return {'expired_now', redis.call('HGETALL', record), {jid}}
end
return {'unchanged'}
`,
);

/**
 * Claim and expire every due request (up to a limit): each id is expired by exactly one caller.
 * KEYS: expiry index, pending index, callbacks due, journal, notification outbox (or "").
 * ARGV: now, limit, record prefix, retention ms, change channel prefix.
 * Reply: an array of {hash, journal id}, one per request this call expired.
 */
export const EXPIRE_DUE_SCRIPT = new RedisScript(
  "approval-expire-due",
  PRELUDE +
    `
local expiry_idx, pending_idx, callbacks_due, journal, notify = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now, limit, prefix, retention_ms, channels = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4]), ARGV[5]
local out = {}
local ids = redis.call('ZRANGEBYSCORE', expiry_idx, '-inf', now, 'LIMIT', 0, limit)
for _, id in ipairs(ids) do
  local record = prefix .. id
  local s = redis.call('HMGET', record, 'status', 'expires_at')
  if s[1] == 'pending' and tonumber(s[2]) <= now then
    local jid = expire_now(record, id, now, retention_ms, pending_idx, expiry_idx, callbacks_due, channels .. id, journal, notify)
    table.insert(out, {redis.call('HGETALL', record), jid})
  else
    redis.call('ZREM', expiry_idx, id)
  end
end
return out
`,
);

/**
 * Attach the grant to an approved request, once.
 * KEYS: record, journal. ARGV: id, grant JSON.
 * Reply: {"attached", {journal id}} | {"existing", grant JSON} | {"not_approved"} | {"not_found"}.
 */
export const ATTACH_GRANT_SCRIPT = new RedisScript(
  "approval-attach-grant",
  PRELUDE +
    `
local record, journal, id, grant = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
local status = redis.call('HGET', record, 'status')
if not status then return {'not_found'} end
if status ~= 'approved' then return {'not_approved'} end
if redis.call('HSETNX', record, 'grant', grant) == 1 then
  return {'attached', {journal_add(journal, 'grant.issued', id, redis.call('HGET', record, 'version'))}}
end
return {'existing', redis.call('HGET', record, 'grant')}
`,
);

/**
 * Withdraw a request nobody has heard of yet: its creating decision was never recorded in the audit trail
 * (the record failed, or the service stopped first), so the request must not outlive the answer it never
 * got. Only a request still marked `unrecorded` is removed (no verdict or cancel can have touched it), with
 * its idempotency key and pending-action key (when they still name it), its index and requester history
 * entries, its queued callback and its journal entries; nothing is published (no one can be waiting on an id never handed out).
 * KEYS: record, pending index, expiry index, unrecorded index, callbacks due, journal. ARGV: id.
 * Reply: 1 when removed, 0 when the request is gone or its decision was recorded.
 */
export const WITHDRAW_SCRIPT = new RedisScript(
  "approval-withdraw",
  `
local record, pending_idx, expiry_idx, unrecorded_idx, callbacks_due, journal = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local id = ARGV[1]
redis.call('ZREM', unrecorded_idx, id)
local s = redis.call('HMGET', record, 'unrecorded', 'pending_key', 'idem_key', 'journal_created')
if not s[1] then return 0 end
if s[2] and redis.call('GET', s[2]) == id then redis.call('DEL', s[2]) end
if s[3] and redis.call('GET', s[3]) == id then redis.call('DEL', s[3]) end
if s[4] then
  redis.call('XDEL', journal, s[4])
  if redis.call('XLEN', journal) == 0 then redis.call('DEL', journal) end
end
for _, field in ipairs({'idx', 'hist'}) do
  local listed = redis.call('HGET', record, field)
  if listed then
    for _, k in ipairs(cjson.decode(listed)) do redis.call('ZREM', k, id) end
  end
end
redis.call('ZREM', pending_idx, id)
redis.call('ZREM', expiry_idx, id)
redis.call('ZREM', callbacks_due, id)
redis.call('DEL', record)
return 1
`,
);

/**
 * Sends the reminders and escalations that are due, each exactly once across instances: for every pending
 * request due in the timers index, counts the reminder (one, however many intervals were missed) and climbs
 * the escalation ladder to the rung the time has reached (listing the request in the rung's role indexes and
 * recording the roles on the request), writes the notification entries, and schedules the next timer (none
 * past the expiry). A request no longer pending leaves the index.
 * KEYS: timers, notification outbox (or ""). ARGV: now, limit, record prefix.
 * Reply: an array of {hash, kind ("remind" | "escalate"), number (the reminder's count or the rung, from 1)}.
 */
export const TIMERS_DUE_SCRIPT = new RedisScript(
  "approval-timers-due",
  PRELUDE +
    `
local timers, notify = KEYS[1], KEYS[2]
local now, limit, prefix = tonumber(ARGV[1]), tonumber(ARGV[2]), ARGV[3]
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', timers, '-inf', now, 'LIMIT', 0, limit)) do
  local record = prefix .. id
  local s = redis.call('HMGET', record, 'status', 'expires_at', 'core', 'reminders', 'escalation', 'esc_idx', 'created_at', 'version', 'unrecorded')
  if s[1] ~= 'pending' or tonumber(s[2]) <= now or not s[3] then
    redis.call('ZREM', timers, id)
  elseif s[9] then
    redis.call('ZADD', timers, now + 1000, id)
  else
    local req = cjson.decode(s[3]).requirements
    local created, expires = tonumber(s[7]), tonumber(s[2])
    local reminders, level = tonumber(s[4] or '0'), tonumber(s[5] or '0')
    local ladder = req.escalate or {}
    local esc_idx = cjson.decode(s[6] or '[]')
    local events = {}
    while ladder[level + 1] and created + ladder[level + 1].after_seconds * 1000 <= now do
      level = level + 1
      local rung = ladder[level]
      if rung.roles then
        local roles = cjson.decode(redis.call('HGET', record, 'escalated_roles') or '[]')
        for _, role in ipairs(rung.roles) do table.insert(roles, role) end
        redis.call('HSET', record, 'escalated_roles', cjson.encode(roles))
        local idx = cjson.decode(redis.call('HGET', record, 'idx') or '[]')
        for _, k in ipairs(esc_idx[level] or {}) do
          redis.call('ZADD', k, created, id)
          table.insert(idx, k)
        end
        redis.call('HSET', record, 'idx', cjson.encode(idx))
      end
      redis.call('HSET', record, 'escalation', level)
      table.insert(events, {'escalate', level})
    end
    local every = tonumber(req.remind_after_seconds or 0) * 1000
    if every > 0 and created + (reminders + 1) * every <= now then
      reminders = math.floor((now - created) / every)
      redis.call('HSET', record, 'reminders', reminders)
      table.insert(events, {'remind', reminders})
    end
    local next_at = nil
    if every > 0 then next_at = created + (reminders + 1) * every end
    if ladder[level + 1] then
      local at = created + ladder[level + 1].after_seconds * 1000
      if next_at == nil or at < next_at then next_at = at end
    end
    if next_at ~= nil and next_at < expires then
      redis.call('ZADD', timers, next_at, id)
    else
      redis.call('ZREM', timers, id)
    end
    if #events > 0 then
      local h = redis.call('HGETALL', record)
      for _, e in ipairs(events) do
        if notify ~= '' then redis.call('XADD', notify, '*', 'k', e[1], 'id', id, 'v', s[8], 'n', e[2]) end
        table.insert(out, {h, e[1], e[2]})
      end
    end
  end
end
return out
`,
);
