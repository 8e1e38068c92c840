-- Join an event's waiting room: one place per buyer. Before the sale opens a buyer's place score is
-- the uniformly random fraction it brought (ARGV[3], in [0, 1)), so early joiners are shuffled
-- when the sale opens; from then on the score is the next arrival number (1, 2, ...), behind every
-- early joiner. A buyer already in line or admitted keeps that; one whose admission has lapsed
-- goes to the back of the line. Once the line has opened (someone arrived after the sale opened or
-- was admitted) nobody joins in front any more, even if the sale is moved later: places in line
-- never change (queue_place.lua).
-- KEYS[1] line (zset buyer -> score), KEYS[2] joined (hash buyer -> ms), KEYS[3] admitted (hash
--   buyer -> "admitted_ms,expires_ms"), KEYS[4] state (hash seq, credit, tick, admitted),
--   KEYS[5] admissions (stream) -- all under the event's hash tag
-- ARGV[1] buyer id, ARGV[2] on_sale_at (ms), ARGV[3] random score in [0, 1), ARGV[4] keep keys (ms)
-- Returns {created (1: first join, 0: already had a place), early (1|0)}
local buyer, on_sale, random_score, keep = ARGV[1], tonumber(ARGV[2]), ARGV[3], tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local created = 1
local admission = redis.call('HGET', KEYS[3], buyer)
if admission then
  local expires = tonumber(string.match(admission, ',(%d+)$'))
  if now < expires then return {0, 0} end
  redis.call('HDEL', KEYS[3], buyer)
  created = 0
elseif redis.call('ZSCORE', KEYS[1], buyer) then
  return {0, now < on_sale and 1 or 0}
end

local opened = redis.call('HEXISTS', KEYS[4], 'seq') == 1 or redis.call('HEXISTS', KEYS[4], 'admitted') == 1
local early = now < on_sale and created == 1 and not opened
local score = early and random_score or redis.call('HINCRBY', KEYS[4], 'seq', 1)
redis.call('ZADD', KEYS[1], score, buyer)
redis.call('HSET', KEYS[2], buyer, math.max(now, on_sale))
for i = 1, 5 do redis.call('PEXPIRE', KEYS[i], keep) end
return {created, early and 1 or 0}
