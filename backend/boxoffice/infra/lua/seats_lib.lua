-- Shared helpers, prepended to every seat script (never run on its own).
-- Every seat script receives the event keys first, in keys.EVENT_KEY_PARTS order:
--   KEYS[1] state    hash  seat id -> "h:<hold id>" | "b:<user id>"  (absent: available)
--   KEYS[2] seat_row hash  seat id -> row index (the layout; also says which seat ids exist)
--   KEYS[3] rows     hash  row index -> "id,id,..." in seat-number order
--   KEYS[4] free     hash  row index -> available seats in that row
--   KEYS[5] cats     hash  category -> "idx,idx,..." rows in order of preference ("*": every row)
--   KEYS[6] expiry   zset  hold id -> expires (ms)
--   KEYS[7] changes  stream of seat changes {type, seats, reason?}
--   KEYS[8] bought   hash  user id -> seats in valid tickets
--   KEYS[9] loaded   string: present once the layout and booked seats are loaded
--   KEYS[10] trimmed string: the newest change id trimmed from the stream (replay before it: reset)
--   KEYS[11] holds   hash  "<hold id>:<field>" -> value; fields user, seats ("a,b"), created, expires,
--                          extended (0|1), checkout (lease end, ms), status (active|expired)
--   KEYS[12] buyers  hash  user id -> the buyer's current hold id
--   KEYS[13] ended   zset  hold id -> when its expired record is forgotten (ms)
--   KEYS[14] closed  string: present once the event is cancelled (nothing more is held or sold)
-- Every key a script touches is one of these, so every script receives all its keys in KEYS.
local K_STATE, K_SEAT_ROW, K_ROWS, K_FREE, K_CATS, K_EXPIRY, K_CHANGES, K_BOUGHT, K_LOADED, K_TRIMMED =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local K_HOLDS, K_BUYERS, K_ENDED, K_CLOSED = KEYS[11], KEYS[12], KEYS[13], KEYS[14]
local EXPIRED_KEEP_MS = 3600000 -- an expired hold answers 410 for an hour
local HOLD_FIELDS = {'user', 'seats', 'created', 'expires', 'extended', 'checkout', 'status'}

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function split(text)
  local out = {}
  if text then
    for part in string.gmatch(text, '[^,]+') do out[#out + 1] = part end
  end
  return out
end

-- Trim the stream to `maxlen` entries (in batches of ~1%), remembering the newest id trimmed away.
local function trim(maxlen)
  local excess = redis.call('XLEN', K_CHANGES) - maxlen
  if excess < math.max(1, math.floor(maxlen / 100)) then return end
  local doomed = redis.call('XRANGE', K_CHANGES, '-', '+', 'COUNT', excess)
  redis.call('XTRIM', K_CHANGES, 'MAXLEN', '=', maxlen)
  redis.call('SET', K_TRIMMED, doomed[#doomed][1])
end

local function announce(maxlen, kind, seats, reason)
  if #seats == 0 then return nil end
  local id
  if reason then
    id = redis.call('XADD', K_CHANGES, '*', 'type', kind, 'seats', table.concat(seats, ','), 'reason', reason)
  else
    id = redis.call('XADD', K_CHANGES, '*', 'type', kind, 'seats', table.concat(seats, ','))
  end
  trim(maxlen)
  return id
end

-- Mark a seat taken (held or booked); an available seat leaves its row's free count.
local function take(seat, value)
  if not redis.call('HGET', K_STATE, seat) then
    local row = redis.call('HGET', K_SEAT_ROW, seat)
    if row then redis.call('HINCRBY', K_FREE, row, -1) end
  end
  redis.call('HSET', K_STATE, seat, value)
end

-- Make a seat available again if it is still `value`; true when it was.
local function give_back(seat, value)
  if redis.call('HGET', K_STATE, seat) ~= value then return false end
  redis.call('HDEL', K_STATE, seat)
  local row = redis.call('HGET', K_SEAT_ROW, seat)
  if row then redis.call('HINCRBY', K_FREE, row, 1) end
  return true
end

-- The hold's fields, or nil when it does not exist.
local function read_hold(hold_id)
  local names = {}
  for i, f in ipairs(HOLD_FIELDS) do names[i] = hold_id .. ':' .. f end
  local h = redis.call('HMGET', K_HOLDS, unpack(names))
  if not h[1] then return nil end
  return {id = hold_id, user = h[1], seats = h[2], created = tonumber(h[3]), expires = tonumber(h[4]),
          extended = h[5], checkout = tonumber(h[6]), status = h[7]}
end

-- Set some fields of a hold: write_hold(id, 'expires', 123, 'extended', 1, ...).
local function write_hold(hold_id, ...)
  local pairs_ = {...}
  local args = {}
  for i = 1, #pairs_, 2 do
    args[#args + 1] = hold_id .. ':' .. pairs_[i]
    args[#args + 1] = pairs_[i + 1]
  end
  redis.call('HSET', K_HOLDS, unpack(args))
end

local function forget_hold(hold_id)
  local names = {}
  for i, f in ipairs(HOLD_FIELDS) do names[i] = hold_id .. ':' .. f end
  redis.call('HDEL', K_HOLDS, unpack(names))
end

local function lapsed(h, now)
  return h.expires <= now and h.checkout <= now
end

-- Give back a hold's seats and forget it (an expired one is remembered for an hour, to answer 410);
-- the caller announces the returned seats.
local function end_hold(hold_id, h, expired, now)
  local freed = {}
  for _, seat in ipairs(split(h.seats)) do
    if give_back(seat, 'h:' .. hold_id) then freed[#freed + 1] = seat end
  end
  if expired then
    write_hold(hold_id, 'status', 'expired')
    redis.call('ZADD', K_ENDED, now + EXPIRED_KEEP_MS, hold_id)
  else
    forget_hold(hold_id)
  end
  redis.call('ZREM', K_EXPIRY, hold_id)
  if redis.call('HGET', K_BUYERS, h.user) == hold_id then redis.call('HDEL', K_BUYERS, h.user) end
  return freed
end

-- The answer every hold-changing script gives: {'ok', expires, seats, earliest (1 when first to lapse)}.
local function hold_answer(hold_id, expires, seats)
  local first = redis.call('ZRANGE', K_EXPIRY, 0, 0)[1] == hold_id and 1 or 0
  return {'ok', expires, seats, first}
end

-- Shared checks of a hold the caller wants to change; returns h or an error answer.
local function own_active_hold(hold_id, user, now)
  local h = read_hold(hold_id)
  if not h or h.user ~= user then return nil, {'notfound'} end
  if h.status == 'expired' then return nil, {'expired'} end
  if h.checkout > now then return nil, {'busy'} end
  if lapsed(h, now) then return nil, {'expired'} end
  return h, nil
end

-- Which of `seats` do not exist, and which are taken (by anyone but `mine`).
local function unknown_and_taken(seats, mine)
  local unknown, taken = {}, {}
  local rows = redis.call('HMGET', K_SEAT_ROW, unpack(seats))
  local states = redis.call('HMGET', K_STATE, unpack(seats))
  for i, seat in ipairs(seats) do
    if not rows[i] then unknown[#unknown + 1] = seat
    elseif states[i] and states[i] ~= mine then taken[#taken + 1] = seat end
  end
  return unknown, taken
end

-- Nothing more is held or sold once the event is cancelled.
local function closed()
  return redis.call('EXISTS', K_CLOSED) == 1
end
