-- Give one seat of the caller's hold back; giving back the last seat ends the hold.
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] hold id, ARGV[2] user id, ARGV[3] seat id, ARGV[4] stream maxlen
-- Returns {'ok', expires, "a,b", earliest} | {'ended'} | {'notloaded'} | {'notfound'} | {'expired'}
--         | {'busy'} | {'noseat'}
local hold_id, user, seat, maxlen = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
local now = now_ms()
local h, refusal = own_active_hold(hold_id, user, now)
if refusal then return refusal end
local kept, found = {}, false
for _, s in ipairs(split(h.seats)) do
  if s == seat then found = true else kept[#kept + 1] = s end
end
if not found then return {'noseat'} end
if #kept == 0 then
  announce(maxlen, 'released', end_hold(hold_id, h, false, now), 'released')
  return {'ended'}
end
give_back(seat, 'h:' .. hold_id)
local csv = table.concat(kept, ',')
write_hold(hold_id, 'seats', csv)
announce(maxlen, 'released', {seat}, 'released')
return hold_answer(hold_id, h.expires, csv)
