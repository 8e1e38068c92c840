-- Load an event's seat layout and its booked seats (from PostgreSQL's valid tickets) into Redis.
-- Without 'force' it does nothing when the event is loaded already; with 'force' it makes the
-- booked seats agree with the given list (held seats are kept, unless PostgreSQL says booked).
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] JSON {rows: [[index, category, [seat id, ...]], ...], booked: [[seat id, user id], ...]}
-- ARGV[2] 'force' | '', ARGV[3] 'closed' (the event is cancelled) | ''
-- Returns 1 if loaded now, 0 if it was loaded already
if ARGV[3] == 'closed' then redis.call('SET', K_CLOSED, '1') end
if redis.call('EXISTS', K_LOADED) == 1 and ARGV[2] ~= 'force' then return 0 end
local data = cjson.decode(ARGV[1])
redis.call('DEL', K_SEAT_ROW, K_ROWS, K_FREE, K_CATS, K_BOUGHT)
local cats = {}
local all = {}
for _, row in ipairs(data.rows) do
  local idx, category, ids = tostring(row[1]), row[2], row[3]
  redis.call('HSET', K_ROWS, idx, table.concat(ids, ','))
  for _, seat in ipairs(ids) do redis.call('HSET', K_SEAT_ROW, seat, idx) end
  cats[category] = cats[category] or {}
  table.insert(cats[category], idx)
  all[#all + 1] = idx
end
for category, rows in pairs(cats) do redis.call('HSET', K_CATS, category, table.concat(rows, ',')) end
if #all > 0 then redis.call('HSET', K_CATS, '*', table.concat(all, ',')) end
local booked = {}
for _, pair in ipairs(data.booked) do
  booked[pair[1]] = 'b:' .. pair[2]
  redis.call('HINCRBY', K_BOUGHT, pair[2], 1)
end
local state = redis.call('HGETALL', K_STATE)
for i = 1, #state, 2 do
  local seat, value = state[i], state[i + 1]
  if string.sub(value, 1, 2) == 'b:' and booked[seat] ~= value then redis.call('HDEL', K_STATE, seat) end
end
for seat, value in pairs(booked) do redis.call('HSET', K_STATE, seat, value) end
for _, row in ipairs(data.rows) do
  local ids = row[3]
  local free = 0
  if #ids > 0 then
    for _, v in ipairs(redis.call('HMGET', K_STATE, unpack(ids))) do
      if not v then free = free + 1 end
    end
  end
  redis.call('HSET', K_FREE, tostring(row[1]), free)
end
redis.call('SET', K_LOADED, '1')
return 1
