-- drain.lua — assigns queued conversations to free agents in queue order (priority first),
-- until the queue is empty, no agent has room, or `max` were assigned.
-- ARGV: prefix, now_ms, max
-- Returns a flat list, five entries per assignment: conv, agent, agent's node, owner node,
-- agent's load.
local now, max = ARGV[2], tonumber(ARGV[3])
local out = {}
for _ = 1, max do
  local head = redis.call('ZRANGE', k('queue', 'priority'), 0, 0)[1] or redis.call('ZRANGE', k('queue', 'normal'), 0, 0)[1]
  if not head then break end
  local agent = pick_agent(redis.call('HGET', k('conv', head), 'lang') or '', '')
  if not agent then break end
  for _, v in ipairs(assign_to(head, agent, now)) do out[#out + 1] = v end
end
return out
