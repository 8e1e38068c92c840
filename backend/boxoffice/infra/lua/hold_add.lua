-- Add seats to the caller's hold, all or nothing.
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] hold id, ARGV[2] user id, ARGV[3] seat ids "a,b", ARGV[4] max seats per buyer, ARGV[5] stream maxlen
-- Returns {'ok', expires, "a,b,c", earliest} | {'notloaded'} | {'closed'} | {'notfound'} | {'expired'}
--         | {'busy'} | {'cap', already} | {'unknown', ids...} | {'conflict', ids...}
local hold_id, user, cap, maxlen = ARGV[1], ARGV[2], tonumber(ARGV[4]), tonumber(ARGV[5])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
if closed() then return {'closed'} end
local h, refusal = own_active_hold(hold_id, user, now_ms())
if refusal then return refusal end
local mine = 'h:' .. hold_id
local current = split(h.seats)
local wanted = {}
for _, seat in ipairs(split(ARGV[3])) do
  if redis.call('HGET', K_STATE, seat) ~= mine then wanted[#wanted + 1] = seat end
end
if #wanted == 0 then return hold_answer(hold_id, h.expires, h.seats) end
local already = tonumber(redis.call('HGET', K_BOUGHT, user) or '0')
if already + #current + #wanted > cap then return {'cap', already + #current} end
local unknown, taken = unknown_and_taken(wanted, mine)
if #unknown > 0 then return {'unknown', unpack(unknown)} end
if #taken > 0 then return {'conflict', unpack(taken)} end
for _, seat in ipairs(wanted) do take(seat, mine); current[#current + 1] = seat end
local csv = table.concat(current, ',')
write_hold(hold_id, 'seats', csv)
announce(maxlen, 'held', wanted)
return hold_answer(hold_id, h.expires, csv)
