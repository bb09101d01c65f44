-- lib.lua — prepended to every script at build time: key names and the agent picker.
--
-- ARGV[1] of every script is the key prefix (a Redis Cluster hash tag such as "{chat}", so
-- that all the keys of one deployment live in one slot and a script may touch any of them).
-- The key names are listed in docs/scaling.md.
local P = ARGV[1]
local function k(...) return P .. ':' .. table.concat({...}, ':') end

local function agent_load(agent) return redis.call('SCARD', k('agent', agent, 'convs')) end

local function agent_capacity(agent) return tonumber(redis.call('HGET', k('agent', agent), 'capacity')) or 0 end

-- Lexicographic order of two equally long lists.
local function less(a, b)
  for i = 1, #a do
    if a[i] ~= b[i] then return a[i] < b[i] end
  end
  return false
end

-- The router's rules: an online agent below capacity; one who speaks `lang` when any such
-- agent does; the least busy; the one idle longest; then the smallest id, so the choice is
-- deterministic. `except` is never picked (the agent a conversation is transferred from).
local function pick_agent(lang, except)
  local best, best_rank
  for _, a in ipairs(redis.call('SMEMBERS', k('agents', 'online'))) do
    if a ~= except then
      local f = redis.call('HMGET', k('agent', a), 'capacity', 'langs', 'last_assigned_ms')
      local load = agent_load(a)
      if load < (tonumber(f[1]) or 0) then
        local speaks = 1
        if lang ~= '' and f[2] and string.find(',' .. f[2] .. ',', ',' .. lang .. ',', 1, true) then speaks = 0 end
        local rank = {speaks, load, tonumber(f[3]) or 0, a}
        if not best or less(rank, best_rank) then best, best_rank = a, rank end
      end
    end
  end
  return best
end

-- 1-based place of a queued conversation (priority queue first), 0 when not queued.
local function position(conv)
  local r = redis.call('ZRANK', k('queue', 'priority'), conv)
  if r then return r + 1 end
  r = redis.call('ZRANK', k('queue', 'normal'), conv)
  if r then return redis.call('ZCARD', k('queue', 'priority')) + r + 1 end
  return 0
end

-- Gives `conv` to `agent` (taking it from its previous agent, if any) and takes it off the
-- queue. Returns {conv, agent, agent's node, conversation's owner, agent's load}.
local function assign_to(conv, agent, now)
  local ck = k('conv', conv)
  local prev = redis.call('HGET', ck, 'agent')
  if prev and prev ~= '' then redis.call('SREM', k('agent', prev, 'convs'), conv) end
  redis.call('SADD', k('agent', agent, 'convs'), conv)
  redis.call('HSET', k('agent', agent), 'last_assigned_ms', now)
  redis.call('HSET', ck, 'stage', 'assigned', 'agent', agent)
  redis.call('ZREM', k('queue', 'priority'), conv)
  redis.call('ZREM', k('queue', 'normal'), conv)
  return {conv, agent, redis.call('HGET', k('agent', agent), 'node') or '', redis.call('HGET', ck, 'owner') or '',
          agent_load(agent)}
end
