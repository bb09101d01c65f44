-- release.lua — a conversation leaves its agent and the queue (resolved, abandoned, or back to
-- the bot): the agent's capacity is free again at once.
-- ARGV: prefix, conv, stage (resolved|abandoned|bot), keep_ms (0 = keep the record; else it
-- expires after that long, e.g. the reopen window)
-- Returns the agent it left ('' if none).
local conv, stage, keep = ARGV[2], ARGV[3], tonumber(ARGV[4]) or 0
local ck = k('conv', conv)
local agent = redis.call('HGET', ck, 'agent') or ''
if agent ~= '' then redis.call('SREM', k('agent', agent, 'convs'), conv) end
redis.call('ZREM', k('queue', 'priority'), conv)
redis.call('ZREM', k('queue', 'normal'), conv)
if redis.call('EXISTS', ck) == 1 then
  redis.call('HSET', ck, 'stage', stage, 'agent', '')
  if keep > 0 then redis.call('PEXPIRE', ck, keep) end
end
return agent
