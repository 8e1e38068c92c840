-- Extend the caller's hold once, never past its maximum lifetime.
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] hold id, ARGV[2] user id, ARGV[3] extension (ms), ARGV[4] max lifetime (ms)
-- Returns {'ok', expires, "a,b", earliest} | {'notloaded'} | {'closed'} | {'notfound'} | {'expired'}
--         | {'busy'} | {'extended'} (already extended once)
local hold_id, user = ARGV[1], ARGV[2]
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
if closed() then return {'closed'} end
local h, refusal = own_active_hold(hold_id, user, now_ms())
if refusal then return refusal end
if h.extended == '1' then return {'extended'} end
local expires = math.min(h.expires + tonumber(ARGV[3]), h.created + tonumber(ARGV[4]))
write_hold(hold_id, 'expires', expires, 'extended', 1)
redis.call('ZADD', K_EXPIRY, expires, hold_id)
return hold_answer(hold_id, expires, h.seats)
