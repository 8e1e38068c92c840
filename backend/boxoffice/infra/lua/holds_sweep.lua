-- Expire this event's lapsed holds: seats back to available, announced with reason 'expired'.
-- Atomic, so two sweepers can never announce the same expiry twice.
-- KEYS[1..10] the event keys (see seats_lib.lua)
-- ARGV[1] key prefix, ARGV[2] most holds to expire in one call, ARGV[3] stream maxlen
-- Returns {expired holds, next expiry (ms) or ''}
local prefix, limit, maxlen = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()
local expired = 0
for _, hold_id in ipairs(redis.call('ZRANGEBYSCORE', K_EXPIRY, '-inf', now, 'LIMIT', 0, limit)) do
  local h = read_hold(hold_key(prefix, hold_id))
  if not h or h.status ~= 'active' then
    redis.call('ZREM', K_EXPIRY, hold_id)
  elseif not lapsed(h, now) then
    redis.call('ZADD', K_EXPIRY, math.max(h.expires, h.checkout), hold_id)
  else
    announce(maxlen, 'released', end_hold(prefix, hold_id, h, true), 'expired')
    expired = expired + 1
  end
end
local nxt = redis.call('ZRANGE', K_EXPIRY, 0, 0, 'WITHSCORES')
return {expired, nxt[2] or ''}
