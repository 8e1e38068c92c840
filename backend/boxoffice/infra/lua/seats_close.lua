-- Close a cancelled event: nothing more is held or sold, and every hold ends now, its seats announced
-- as released with reason 'cancelled' (a hold in checkout too: booking refuses once closed).
-- Idempotent: closing again ends nothing more.
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] stream maxlen
-- Returns {'ok', holds ended}
local maxlen = tonumber(ARGV[1])
local now = now_ms()
redis.call('SET', K_CLOSED, '1')
local freed, ended = {}, 0
for _, hold_id in ipairs(redis.call('ZRANGE', K_EXPIRY, 0, -1)) do
  local h = read_hold(hold_id)
  if h and h.status == 'active' then
    for _, seat in ipairs(end_hold(hold_id, h, false, now)) do freed[#freed + 1] = seat end
    ended = ended + 1
  else
    redis.call('ZREM', K_EXPIRY, hold_id)
  end
end
redis.call('DEL', K_BUYERS)
announce(maxlen, 'released', freed, 'cancelled')
return {'ok', ended}
