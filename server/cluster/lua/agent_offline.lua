-- agent_offline.lua — an agent went offline (grace period over, account removed, its node
-- died): no more assignments, and its conversations go back to the head of their queue, in
-- id order, as the router does.
-- ARGV: prefix, agent, now_ms
-- Returns the conversations put back in the queue.
local agent, now = ARGV[2], tonumber(ARGV[3])
redis.call('HSET', k('agent', agent), 'status', 'offline', 'seen_ms', now)
redis.call('SREM', k('agents', 'online'), agent)
local convs = redis.call('SMEMBERS', k('agent', agent, 'convs'))
table.sort(convs)
for i = #convs, 1, -1 do
  local conv = convs[i]
  local ck = k('conv', conv)
  local q = redis.call('HGET', ck, 'priority') == '1' and 'priority' or 'normal'
  local head = redis.call('ZRANGE', k('queue', q), 0, 0, 'WITHSCORES')[2]
  redis.call('ZADD', k('queue', q), (tonumber(head) or now) - 1, conv)
  redis.call('HSET', ck, 'stage', 'queued', 'agent', '')
end
redis.call('DEL', k('agent', agent, 'convs'))
return convs
