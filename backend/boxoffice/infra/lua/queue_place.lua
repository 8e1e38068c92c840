-- Where a buyer stands in an event's waiting room, read in one atomic step.
-- KEYS[1..5] line, joined, admitted, state, admissions (see queue_join.lua)
-- ARGV[1] buyer id
-- Returns {'none', now} | {'admitted', now, admitted_ms, expires_ms}
--       | {'line', now, ahead (buyers still before this one), line length, number in line (1 = first)}
-- Once the sale has opened the line only loses its front (queue_admit.lua pops it and counts the
-- buyers in state.admitted) and grows at its back (queue_join.lua), so buyers admitted so far plus
-- those still ahead plus one is the same number for as long as the buyer waits.
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
local admitted = tonumber(redis.call('HGET', KEYS[4], 'admitted') or 0)
return {'line', now, ahead, redis.call('ZCARD', KEYS[1]), admitted + ahead + 1}
