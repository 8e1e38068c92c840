-- Release the caller's hold: every seat becomes available, announced with reason 'released'.
-- KEYS[1..10] the event keys (see seats_lib.lua); KEYS[11] the hold
-- ARGV[1] key prefix, ARGV[2] hold id, ARGV[3] user id, ARGV[4] stream maxlen
-- Returns {'ok'} | {'notloaded'} | {'notfound'} | {'expired'} | {'busy'}
local prefix, hold_id, user, maxlen = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
local h, refusal = own_active_hold(prefix, hold_id, user, now_ms())
if refusal then return refusal end
announce(maxlen, 'released', end_hold(prefix, hold_id, h, false), 'released')
return {'ok'}
