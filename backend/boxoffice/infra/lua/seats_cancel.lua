-- Make a cancelled order's seats available again, announced with reason 'cancelled'.
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] user id, ARGV[2] seat ids "a,b", ARGV[3] stream maxlen
-- Returns {'ok', released count} | {'notloaded'}
local user, maxlen = ARGV[1], tonumber(ARGV[3])
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
local released = {}
for _, seat in ipairs(split(ARGV[2])) do
  if give_back(seat, 'b:' .. user) then released[#released + 1] = seat end
end
if #released > 0 then
  local left = redis.call('HINCRBY', K_BOUGHT, user, -#released)
  if left <= 0 then redis.call('HDEL', K_BOUGHT, user) end
end
announce(maxlen, 'released', released, 'cancelled')
return {'ok', #released}
