-- Release the caller's hold: every seat becomes available, announced with reason 'released'.
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] hold id, ARGV[2] user id, ARGV[3] stream maxlen
-- Returns {'ok'} | {'notloaded'} | {'notfound'} | {'expired'} | {'busy'}
local hold_id, user, maxlen = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
local now = now_ms()
local h, refusal = own_active_hold(hold_id, user, now)
if refusal then return refusal end
announce(maxlen, 'released', end_hold(hold_id, h, false, now), 'released')
return {'ok'}
