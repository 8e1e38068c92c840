-- Admit the buyers at the front of an event's waiting room at `rate` per minute, measured on
-- Redis's clock. Any number of gateways may call this at any time: the admission credit earned
-- since the last call (capped at one second's worth, so an idle line cannot save up a rush) is
-- spent atomically here, so together they admit at the configured rate, and ZPOPMIN hands each
-- buyer out exactly once. Each admitted batch is appended to the admissions stream so every
-- gateway can tell its waiting WebSockets at once.
-- KEYS[1..5] line, joined, admitted, state, admissions (see queue_join.lua)
-- ARGV[1] on_sale_at (ms), ARGV[2] rate (buyers per minute), ARGV[3] admission lifetime (ms),
-- ARGV[4] most buyers to admit in this call, ARGV[5] admissions stream length kept
-- Returns {admitted count, line length after, now (ms), buyer 1, joined_ms 1, buyer 2, joined_ms 2, ...}
local on_sale, rate, lifetime = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local most, maxlen = tonumber(ARGV[4]), tonumber(ARGV[5])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if now < on_sale then return {0, redis.call('ZCARD', KEYS[1]), now} end

local state = redis.call('HMGET', KEYS[4], 'credit', 'tick')
local credit = tonumber(state[1]) or 0
local tick = math.max(tonumber(state[2]) or on_sale, on_sale)
local cap = math.max(1, rate / 60)
credit = math.min(cap, credit + math.max(0, now - tick) * rate / 60000)

local out = {0, 0, now}
local wanted = math.min(math.floor(credit), most)
if wanted > 0 then
  local popped = redis.call('ZPOPMIN', KEYS[1], wanted)
  local record = tostring(now) .. ',' .. tostring(now + lifetime)
  local names = {}
  for i = 1, #popped, 2 do
    local buyer = popped[i]
    redis.call('HSET', KEYS[3], buyer, record)
    out[#out + 1] = buyer
    out[#out + 1] = tonumber(redis.call('HGET', KEYS[2], buyer) or now)
    names[#names + 1] = buyer
  end
  if #names > 0 then
    credit = credit - #names
    redis.call('HINCRBY', KEYS[4], 'admitted', #names)
    redis.call('XADD', KEYS[5], 'MAXLEN', '~', maxlen, '*', 'buyers', table.concat(names, ','),
               'admitted', now, 'expires', now + lifetime)
    out[1] = #names
  end
end
redis.call('HSET', KEYS[4], 'credit', tostring(credit), 'tick', now)
local keep = redis.call('PTTL', KEYS[2])
if keep > 0 then for i = 3, 5 do redis.call('PEXPIRE', KEYS[i], keep) end end
out[2] = redis.call('ZCARD', KEYS[1])
return out
