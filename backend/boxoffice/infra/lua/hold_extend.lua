-- Extend the caller's hold once, never past its maximum lifetime.
-- KEYS[1..10] the event keys (see seats_lib.lua); KEYS[11] the hold
-- ARGV[1] key prefix, ARGV[2] hold id, ARGV[3] user id, ARGV[4] extension (ms), ARGV[5] max lifetime (ms)
-- Returns {'ok', expires, "a,b", earliest} | {'notloaded'} | {'notfound'} | {'expired'} | {'busy'}
--         | {'extended'} (already extended once)
local prefix, hold_id, user = ARGV[1], ARGV[2], ARGV[3]
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
local h, refusal = own_active_hold(prefix, hold_id, user, now_ms())
if refusal then return refusal end
if h.extended == '1' then return {'extended'} end
local expires = math.min(h.expires + tonumber(ARGV[4]), h.created + tonumber(ARGV[5]))
redis.call('HSET', KEYS[11], 'expires', expires, 'extended', 1)
redis.call('ZADD', K_EXPIRY, expires, hold_id)
return hold_answer(hold_id, expires, h.seats)
