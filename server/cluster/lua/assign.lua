-- assign.lua — gives one conversation to an agent, atomically: a conversation is assigned
-- once (a second attempt gets 'already_assigned'), and no agent goes past its capacity.
-- ARGV: prefix, conv, now_ms, agent ('' = pick by the router's rules), by (auto|manual|transfer)
--   auto: the conversation must be queued; manual: queued or still with the bot (an agent
--   picks it up); transfer: assigned to another agent, which it leaves.
-- Returns {1, agent, agent's node, owner node, agent's load} or {0, reason[, current agent]}:
-- unknown_conversation, already_<stage>, not_assigned, same_agent, no_agent, agent_offline,
-- agent_full.
local conv, now, want, by = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ck = k('conv', conv)
local stage = redis.call('HGET', ck, 'stage')
if not stage then return {0, 'unknown_conversation'} end
local current = redis.call('HGET', ck, 'agent') or ''
if by == 'transfer' then
  if stage ~= 'assigned' then return {0, 'not_assigned'} end
  if want == current then return {0, 'same_agent', current} end
elseif not (stage == 'queued' or (by == 'manual' and stage == 'bot')) then
  return {0, 'already_' .. stage, current}
end
local agent = want
if agent == '' then
  agent = pick_agent(redis.call('HGET', ck, 'lang') or '', current)
  if not agent then return {0, 'no_agent'} end
else
  if redis.call('SISMEMBER', k('agents', 'online'), agent) == 0 then return {0, 'agent_offline'} end
  if agent_load(agent) >= agent_capacity(agent) then return {0, 'agent_full'} end
end
local r = assign_to(conv, agent, now)
return {1, r[2], r[3], r[4], r[5]}
