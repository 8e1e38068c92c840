-- Give one seat of the caller's hold back; giving back the last seat ends the hold.
-- KEYS[1..10] the event keys (see seats_lib.lua); KEYS[11] the hold
-- ARGV[1] key prefix, ARGV[2] hold id, ARGV[3] user id, ARGV[4] seat id, ARGV[5] stream maxlen
-- Returns {'ok', expires, "a,b", earliest} | {'ended'} | {'notloaded'} | {'notfound'} | {'expired'}
--         | {'busy'} | {'noseat'}
local prefix, hold_id, user, seat, maxlen = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
local h, refusal = own_active_hold(prefix, hold_id, user, now_ms())
if refusal then return refusal end
local kept, found = {}, false
for _, s in ipairs(split(h.seats)) do
  if s == seat then found = true else kept[#kept + 1] = s end
end
if not found then return {'noseat'} end
if #kept == 0 then
  announce(maxlen, 'released', end_hold(prefix, hold_id, h, false), 'released')
  return {'ended'}
end
give_back(seat, 'h:' .. hold_id)
local csv = table.concat(kept, ',')
redis.call('HSET', KEYS[11], 'seats', csv)
announce(maxlen, 'released', {seat}, 'released')
return hold_answer(hold_id, h.expires, csv)
