-- Expire this event's lapsed holds: seats back to available, announced with reason 'expired'; and
-- forget expired holds' records after their hour. Atomic, so two sweepers can never announce the
-- same expiry twice.
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] most holds to expire in one call, ARGV[2] stream maxlen
-- Returns {expired holds, when this event next needs a sweep (ms) or ''}
local limit, maxlen = tonumber(ARGV[1]), tonumber(ARGV[2])
local now = now_ms()
local expired = 0
for _, hold_id in ipairs(redis.call('ZRANGEBYSCORE', K_ENDED, '-inf', now, 'LIMIT', 0, limit)) do
  local h = read_hold(hold_id)
  if h and h.status == 'expired' then forget_hold(hold_id) end
  redis.call('ZREM', K_ENDED, hold_id)
end
for _, hold_id in ipairs(redis.call('ZRANGEBYSCORE', K_EXPIRY, '-inf', now, 'LIMIT', 0, limit)) do
  local h = read_hold(hold_id)
  if not h or h.status ~= 'active' then
    redis.call('ZREM', K_EXPIRY, hold_id)
  elseif not lapsed(h, now) then
    redis.call('ZADD', K_EXPIRY, math.max(h.expires, h.checkout), hold_id)
  else
    announce(maxlen, 'released', end_hold(hold_id, h, true, now), 'expired')
    expired = expired + 1
  end
end
local nxt = redis.call('ZRANGE', K_EXPIRY, 0, 0, 'WITHSCORES')[2]
local forget = redis.call('ZRANGE', K_ENDED, 0, 0, 'WITHSCORES')[2]
if forget and (not nxt or tonumber(forget) < tonumber(nxt)) then nxt = forget end
return {expired, nxt or ''}
