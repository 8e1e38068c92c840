-- Mark an order's seats booked and end the hold they came from (idempotent). All or nothing: a seat
-- that someone else now holds or owns (the order's hold lapsed and another buyer took it) is refused,
-- and so is every booking once the event is closed; the order is then undone, not this buyer's seat.
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] hold id, ARGV[2] user id, ARGV[3] seat ids "a,b", ARGV[4] stream maxlen
-- Returns {'ok', newly booked count} | {'notloaded'} | {'closed'} | {'conflict', ids...}
local hold_id, user, maxlen = ARGV[1], ARGV[2], tonumber(ARGV[4])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
if closed() then return {'closed'} end
local mine, held = 'b:' .. user, 'h:' .. hold_id
local seats = split(ARGV[3])
local states = redis.call('HMGET', K_STATE, unpack(seats))
local wanted, taken = {}, {}
for i, seat in ipairs(seats) do
  local state = states[i]
  if state ~= mine then
    if state and state ~= held then taken[#taken + 1] = seat else wanted[#wanted + 1] = seat end
  end
end
if #taken > 0 then return {'conflict', unpack(taken)} end
for _, seat in ipairs(wanted) do take(seat, mine) end
if #wanted > 0 then redis.call('HINCRBY', K_BOUGHT, user, #wanted) end
local h = read_hold(hold_id)
if h and h.status == 'active' then
  announce(maxlen, 'released', end_hold(hold_id, h, false, now_ms()), 'released')
end
announce(maxlen, 'booked', wanted)
return {'ok', #wanted}
