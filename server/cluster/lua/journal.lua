-- journal.lua — the owner appends a conversation's events to its journal, the stream a node
-- taking the conversation over rebuilds it from. Only the owner may: a node that lost the
-- conversation (taken over while it was presumed dead) is refused and learns who owns it.
-- A conversation Redis has not heard of yet (still with the bot) becomes this node's.
-- ARGV: prefix, conv, node, visitor, keep_ms (0: no expiry), event…
-- Returns {1} or {0, owner}.
local conv, node, visitor, keep = ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]) or 0
local ck = k('conv', conv)
local owner = redis.call('HGET', ck, 'owner') or ''
if owner ~= '' and owner ~= node then return {0, owner} end
if owner == '' then
  redis.call('HSET', ck, 'owner', node, 'visitor', visitor)
  redis.call('HSETNX', ck, 'epoch', 1)
  redis.call('HSETNX', ck, 'stage', 'bot')
end
local jk = k('conv', conv, 'journal')
for i = 6, #ARGV do redis.call('XADD', jk, '*', 'e', ARGV[i]) end
if keep > 0 then redis.call('PEXPIRE', jk, keep) end
if visitor ~= '' then
  redis.call('HSET', k('visitor', visitor), 'conv', conv)
  if keep > 0 then redis.call('PEXPIRE', k('visitor', visitor), keep) end
end
redis.call('SADD', k('node', node, 'convs'), conv)
redis.call('SADD', k('nodes'), node)
return {1}
