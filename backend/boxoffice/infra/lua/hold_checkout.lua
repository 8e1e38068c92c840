-- Start checkout of the caller's hold: the sweeper leaves it alone until the lease lapses.
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] hold id, ARGV[2] user id, ARGV[3] lease (ms), ARGV[4] stream maxlen
-- Returns {'ok', expires, "a,b"} | {'notloaded'} | {'closed'} | {'notfound'} | {'expired'} | {'busy'}
--         | {'conflict', ids...} (seats no longer held by this hold: Redis lost them)
local hold_id, user, lease, maxlen = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
if closed() then return {'closed'} end
local now = now_ms()
local h = read_hold(hold_id)
if not h or h.user ~= user then return {'notfound'} end
if h.status == 'expired' then return {'expired'} end
if h.checkout > now then return {'busy'} end
if h.expires <= now then
  announce(maxlen, 'released', end_hold(hold_id, h, true, now), 'expired')
  return {'expired'}
end
local seats = split(h.seats)
local states = redis.call('HMGET', K_STATE, unpack(seats))
local lost = {}
for i, seat in ipairs(seats) do
  if states[i] ~= 'h:' .. hold_id then lost[#lost + 1] = seat end
end
if #lost > 0 then return {'conflict', unpack(lost)} end
write_hold(hold_id, 'checkout', now + lease)
redis.call('ZADD', K_EXPIRY, math.max(h.expires, now + lease), hold_id)
return {'ok', h.expires, h.seats}
