-- Create a hold: by seat ids (all or nothing) or by quantity (best available, chosen here).
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] hold id, ARGV[2] user id, ARGV[3] ttl (ms), ARGV[4] max seats per buyer, ARGV[5] stream maxlen,
-- ARGV[6] mode ('ids' | 'best'), ARGV[7] seat ids "a,b,c" or a quantity, ARGV[8] category ('' for any)
-- Returns {'ok', expires, "a,b,c", earliest} | {'notloaded'} | {'closed'} | {'exists', hold id}
--         | {'cap', already} | {'unknown', ids...} | {'conflict', ids...} | {'unavailable'}
-- A lapsed hold of the same buyer is expired (and announced) here rather than refused.
local hold_id, user = ARGV[1], ARGV[2]
local ttl, cap, maxlen, mode = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), ARGV[6]
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
if closed() then return {'closed'} end
local now = now_ms()

local existing = redis.call('HGET', K_BUYERS, user)
if existing then
  local h = read_hold(existing)
  if h and h.status == 'active' and not lapsed(h, now) then return {'exists', existing} end
  if h and h.status == 'active' then announce(maxlen, 'released', end_hold(existing, h, true, now), 'expired') end
  redis.call('HDEL', K_BUYERS, user)
end
local already = tonumber(redis.call('HGET', K_BOUGHT, user) or '0')

-- Best available: a block of `q` seats in one row leaving no single free seat on either side,
-- nearest the row's middle, front rows first; else gap-free seats across runs; else any seats.
local function runs_of(ids)
  local states = redis.call('HMGET', K_STATE, unpack(ids))
  local runs, start = {}, nil
  for i = 1, #ids + 1 do
    local free = i <= #ids and not states[i]
    if free and not start then start = i end
    if not free and start then runs[#runs + 1] = {start, i - 1}; start = nil end
  end
  return runs
end

local function block_in_row(ids, q)
  local best, best_distance = nil, nil
  local middle = (#ids + 1) / 2
  for _, run in ipairs(runs_of(ids)) do
    local s, e = run[1], run[2]
    for a = s, e - q + 1 do
      local left, right = a - s, e - (a + q - 1)
      if left ~= 1 and right ~= 1 then
        local distance = math.abs(a + (q - 1) / 2 - middle)
        if not best or distance < best_distance then best, best_distance = a, distance end
      end
    end
  end
  if not best then return nil end
  local seats = {}
  for i = best, best + q - 1 do seats[#seats + 1] = ids[i] end
  return seats
end

local function best_available(q, category)
  local order = split(redis.call('HGET', K_CATS, category == '' and '*' or category))
  local counts = #order > 0 and redis.call('HMGET', K_FREE, unpack(order)) or {}
  for i, row in ipairs(order) do
    if tonumber(counts[i] or '0') >= q then
      local seats = block_in_row(split(redis.call('HGET', K_ROWS, row)), q)
      if seats then return seats end
    end
  end
  for _, gap_free in ipairs({true, false}) do
    local seats = {}
    for i, row in ipairs(order) do
      if tonumber(counts[i] or '0') > 0 then
        local ids = split(redis.call('HGET', K_ROWS, row))
        for _, run in ipairs(runs_of(ids)) do
          local length, need = run[2] - run[1] + 1, q - #seats
          local n = math.min(need, length)
          if gap_free and length - n == 1 then n = n - 1 end
          for j = run[1], run[1] + n - 1 do seats[#seats + 1] = ids[j] end
          if #seats == q then return seats end
        end
      end
    end
  end
  return nil
end

local seats
if mode == 'ids' then
  seats = split(ARGV[7])
  if already + #seats > cap then return {'cap', already} end
  local unknown, taken = unknown_and_taken(seats, nil)
  if #unknown > 0 then return {'unknown', unpack(unknown)} end
  -- guard:begin (the availability check; tests strip it to prove the race test has teeth)
  if #taken > 0 then return {'conflict', unpack(taken)} end
  -- guard:end
else
  local q = tonumber(ARGV[7])
  if already + q > cap then return {'cap', already} end
  seats = best_available(q, ARGV[8])
  if not seats then return {'unavailable'} end
end

for _, seat in ipairs(seats) do take(seat, 'h:' .. hold_id) end
local expires = now + ttl
local csv = table.concat(seats, ',')
write_hold(hold_id, 'user', user, 'seats', csv, 'created', now, 'expires', expires, 'extended', 0,
  'checkout', 0, 'status', 'active')
redis.call('HSET', K_BUYERS, user, hold_id)
redis.call('ZADD', K_EXPIRY, expires, hold_id)
announce(maxlen, 'held', seats)
return hold_answer(hold_id, expires, csv)
