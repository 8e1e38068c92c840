-- Mark an order's seats booked and end the hold they came from (idempotent).
-- KEYS[1..10] the event keys (see seats_lib.lua)
-- ARGV[1] key prefix, ARGV[2] hold id, ARGV[3] user id, ARGV[4] seat ids "a,b", ARGV[5] stream maxlen
-- Returns {'ok', newly booked count} | {'notloaded'}
local prefix, hold_id, user, maxlen = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[5])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
local mine = 'b:' .. user
local booked = {}
for _, seat in ipairs(split(ARGV[4])) do
  if redis.call('HGET', K_STATE, seat) ~= mine then
    take(seat, mine)
    booked[#booked + 1] = seat
  end
end
if #booked > 0 then redis.call('HINCRBY', K_BOUGHT, user, #booked) end
local h = read_hold(hold_key(prefix, hold_id))
if h and h.status == 'active' then
  local leftover = end_hold(prefix, hold_id, h, false)
  announce(maxlen, 'released', leftover, 'released')
end
announce(maxlen, 'booked', booked)
return {'ok', #booked}
