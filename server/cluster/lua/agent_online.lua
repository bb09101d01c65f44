-- agent_online.lua — an agent's presence as its node sees it (hello, status change, heartbeat).
-- ARGV: prefix, agent, node, capacity, langs (comma-separated), now_ms, status (online|away)
-- Returns the agent's current load (conversations assigned to it).
local agent, node, capacity, langs, now, status = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local key = k('agent', agent)
redis.call('HSET', key, 'node', node, 'capacity', capacity, 'langs', langs, 'status', status, 'seen_ms', now)
redis.call('HSETNX', key, 'last_assigned_ms', 0)
redis.call('SADD', k('agents'), agent)
if status == 'online' then
  redis.call('SADD', k('agents', 'online'), agent)
else
  redis.call('SREM', k('agents', 'online'), agent)
end
return agent_load(agent)
