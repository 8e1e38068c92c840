-- End an unsuccessful checkout: the hold is the buyer's again (and lapses at its own time).
-- KEYS the event keys (see seats_lib.lua)
-- ARGV[1] hold id
-- Returns 1 if the hold was still there, else 0
local h = read_hold(ARGV[1])
if not h or h.status ~= 'active' then return 0 end
write_hold(ARGV[1], 'checkout', 0)
redis.call('ZADD', K_EXPIRY, h.expires, ARGV[1])
return 1
