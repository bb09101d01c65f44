-- claim.lua — a node becomes the owner of a conversation (the one node that writes its
-- events): when it has no owner yet, or when its owner is dead (its liveness key expired).
-- The epoch grows at each change of owner, so a node that was presumed dead and comes back
-- can tell that it lost the conversation.
-- Right after Redis lost its data (restarted without persistence) no liveness key exists
-- yet, dead or alive: with `grace_ms`, no owner is declared dead until that long after the
-- first node told Redis it was back (P:since, set by the nodes with SET NX on connecting).
-- The conversation leaves the previous owner's P:node:<id>:convs for the new owner's.
-- ARGV: prefix, conv, node[, now_ms, grace_ms]
-- Returns {1, epoch, previous owner} or {0, 'owner_alive', owner}.
local conv, node = ARGV[2], ARGV[3]
local now, grace = tonumber(ARGV[4]) or 0, tonumber(ARGV[5]) or 0
local ck = k('conv', conv)
local owner = redis.call('HGET', ck, 'owner') or ''
if owner == node then return {1, tonumber(redis.call('HGET', ck, 'epoch')) or 1, owner} end
if owner ~= '' and redis.call('EXISTS', k('node', owner)) == 1 then return {0, 'owner_alive', owner} end
if owner ~= '' and grace > 0 then
  local since = tonumber(redis.call('GET', k('since'))) or now
  if now - since < grace then return {0, 'owner_alive', owner} end
end
redis.call('HSET', ck, 'owner', node)
-- The conversation moves from the previous owner's journaled set to this node's (sweep.lua).
if owner ~= '' then redis.call('SREM', k('node', owner, 'convs'), conv) end
redis.call('SADD', k('node', node, 'convs'), conv)
redis.call('SADD', k('nodes'), node)
return {1, redis.call('HINCRBY', ck, 'epoch', 1), owner}
