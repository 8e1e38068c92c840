-- Where a buyer stands in an event's waiting room, read in one atomic step.
-- KEYS[1..5] line, joined, admitted, state, admissions (see queue_join.lua)
-- ARGV[1] buyer id
-- Returns {'none', now} | {'admitted', now, admitted_ms, expires_ms}
--       | {'line', now, ahead (buyers before this one), line length}
local buyer = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local admission = redis.call('HGET', KEYS[3], buyer)
if admission then
  local admitted, expires = string.match(admission, '^(%d+),(%d+)$')
  return {'admitted', now, tonumber(admitted), tonumber(expires)}
end
local ahead = redis.call('ZRANK', KEYS[1], buyer)
if not ahead then return {'none', now} end
return {'line', now, ahead, redis.call('ZCARD', KEYS[1])}
