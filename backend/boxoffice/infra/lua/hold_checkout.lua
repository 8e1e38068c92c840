-- Start checkout of the caller's hold: the sweeper leaves it alone until the lease lapses.
-- KEYS[1..10] the event keys (see seats_lib.lua); KEYS[11] the hold
-- ARGV[1] key prefix, ARGV[2] hold id, ARGV[3] user id, ARGV[4] lease (ms), ARGV[5] stream maxlen
-- Returns {'ok', expires, "a,b"} | {'notloaded'} | {'notfound'} | {'expired'} | {'busy'}
--         | {'conflict', ids...} (seats no longer held by this hold: Redis lost them)
local prefix, hold_id, user, lease, maxlen = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), tonumber(ARGV[5])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
local now = now_ms()
local h = read_hold(KEYS[11])
if not h or h.user ~= user then return {'notfound'} end
if h.status == 'expired' then return {'expired'} end
if h.checkout > now then return {'busy'} end
if h.expires <= now then
  announce(maxlen, 'released', end_hold(prefix, hold_id, h, true), 'expired')
  return {'expired'}
end
local seats = split(h.seats)
local states = redis.call('HMGET', K_STATE, unpack(seats))
local lost = {}
for i, seat in ipairs(seats) do
  if states[i] ~= 'h:' .. hold_id then lost[#lost + 1] = seat end
end
if #lost > 0 then return {'conflict', unpack(lost)} end
redis.call('HSET', KEYS[11], 'checkout', now + lease)
redis.call('ZADD', K_EXPIRY, math.max(h.expires, now + lease), hold_id)
return {'ok', h.expires, h.seats}
