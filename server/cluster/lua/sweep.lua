-- sweep.lua — the conversations of dead nodes that are waiting for a new owner: those still
-- open in a journaled set P:node:<id>:convs whose node's liveness key has expired. The caller
-- claims each (claim.lua makes one winner); members already taken over, ended or forgotten
-- are dropped from the dead node's set here, and a dead node's empty set from P:nodes.
-- Members are drawn at random, so nodes sweeping at the same moment mostly try different ones.
-- Right after Redis lost its data no node is taken for dead before `grace_ms` (see claim.lua).
-- ARGV: prefix, node (the caller, never swept), now_ms, grace_ms, count
-- Returns {conv, dead owner, conv, dead owner, …}.
local self, now, grace, count = ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local since = tonumber(redis.call('GET', k('since'))) or now
if now - since < grace then return {} end
local out = {}
for _, node in ipairs(redis.call('SMEMBERS', k('nodes'))) do
  if node ~= self and redis.call('EXISTS', k('node', node)) == 0 then
    local sk = k('node', node, 'convs')
    for _, conv in ipairs(redis.call('SRANDMEMBER', sk, count)) do
      local f = redis.call('HMGET', k('conv', conv), 'owner', 'stage')
      if f[1] ~= node or f[2] == false or f[2] == 'resolved' or f[2] == 'abandoned' then
        redis.call('SREM', sk, conv)
      else
        out[#out + 1] = conv
        out[#out + 1] = node
      end
    end
    if redis.call('SCARD', sk) == 0 then redis.call('SREM', k('nodes'), node) end
  end
end
return out
