-- Every taken seat and the stream position, read atomically (subscribing from the cursor
-- misses nothing and repeats nothing).
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] the caller's user id ('' for nobody)
-- Returns {'ok', cursor ('0-0' when nothing happened yet), caller's hold id or '', seat, state, seat, state, ...}
--         | {'notloaded'}
if redis.call('EXISTS', K_LOADED) == 0 then return {'notloaded'} end
local last = redis.call('XREVRANGE', K_CHANGES, '+', '-', 'COUNT', 1)[1]
local mine = ARGV[1] ~= '' and redis.call('HGET', K_BUYERS, ARGV[1]) or false
local answer = {'ok', last and last[1] or '0-0', mine or ''}
for _, v in ipairs(redis.call('HGETALL', K_STATE)) do answer[#answer + 1] = v end
return answer
