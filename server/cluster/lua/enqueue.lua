-- enqueue.lua — a conversation asks for a human (handoff.requested): it joins the queue.
-- ARGV: prefix, conv, owner node, visitor, lang, priority (0|1), now_ms
-- Returns {1, position} or {0, 'already_assigned', agent}. Enqueuing a queued conversation
-- again keeps its place.
local conv, owner, visitor, lang, priority, now = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local ck = k('conv', conv)
local stage = redis.call('HGET', ck, 'stage')
if stage == 'assigned' then return {0, 'already_assigned', redis.call('HGET', ck, 'agent') or ''} end
if redis.call('HSETNX', ck, 'owner', owner) == 1 then redis.call('HSET', ck, 'epoch', 1) end
if stage ~= 'queued' then
  redis.call('HSET', ck, 'stage', 'queued', 'visitor', visitor, 'lang', lang, 'priority', priority,
             'queued_ms', now, 'agent', '')
  redis.call('PERSIST', ck)
  redis.call('ZADD', k('queue', priority == '1' and 'priority' or 'normal'), 'NX', now, conv)
end
return {1, position(conv)}
