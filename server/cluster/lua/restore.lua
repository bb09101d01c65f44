-- restore.lua — the owner of a conversation tells Redis what it holds (after Redis came back
-- empty, or at the owner's start): its owner, stage and agent. The owner's log is the truth
-- for its conversations, so nothing is refused, except a conversation that has another owner
-- now (taken over while this node was cut off).
-- ARGV: prefix, conv, owner, stage (queued|assigned), agent, visitor, lang, priority (0|1), queued_ms
-- Returns 1, or {0, owner} when another node owns the conversation.
local conv, owner, stage, agent, visitor, lang, priority, queued =
  ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local ck = k('conv', conv)
local current = redis.call('HGET', ck, 'owner')
if current and current ~= '' and current ~= owner then return {0, current} end
if redis.call('HSETNX', ck, 'owner', owner) == 1 then redis.call('HSET', ck, 'epoch', 1) end
local prev = redis.call('HGET', ck, 'agent') or ''
if prev ~= '' and prev ~= agent then redis.call('SREM', k('agent', prev, 'convs'), conv) end
redis.call('HSET', ck, 'stage', stage, 'agent', agent, 'visitor', visitor, 'lang', lang, 'priority', priority,
           'queued_ms', queued)
redis.call('PERSIST', ck)
if stage == 'assigned' then
  redis.call('SADD', k('agent', agent, 'convs'), conv)
  redis.call('ZREM', k('queue', 'priority'), conv)
  redis.call('ZREM', k('queue', 'normal'), conv)
else
  redis.call('ZADD', k('queue', priority == '1' and 'priority' or 'normal'), 'NX', queued, conv)
end
return {1}
