-- Token bucket: refill at `rate` tokens/s up to `capacity`, then take `requested` if there are enough.
-- KEYS[1] tokens key, KEYS[2] timestamp key (same hash tag)
-- ARGV[1] rate (tokens per second, float), ARGV[2] capacity (int), ARGV[3] requested (int)
-- Returns {allowed (0|1), tokens left (int), ms until `requested` tokens are back (int),
--          ms until the bucket is full again (int)}
-- The clock is Redis's own, so every gateway instance sees the same time.
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local requested = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local tokens = tonumber(redis.call('GET', KEYS[1]))
local last = tonumber(redis.call('GET', KEYS[2]))
if tokens == nil or last == nil then
  tokens, last = capacity, now
end
tokens = math.min(capacity, tokens + math.max(0, now - last) * rate / 1000)

local allowed = 0
if tokens >= requested then
  tokens = tokens - requested
  allowed = 1
end

local ttl = math.ceil(capacity / rate * 1000) + 1000
redis.call('SET', KEYS[1], tostring(tokens), 'PX', ttl)
redis.call('SET', KEYS[2], now, 'PX', ttl)

local missing = math.max(0, math.max(requested, 1) - tokens)
return {allowed, math.floor(tokens), math.ceil(missing * 1000 / rate), math.ceil((capacity - tokens) * 1000 / rate)}
