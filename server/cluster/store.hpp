// store.hpp — the cluster's shared state in Redis: agents' presence and capacity, the queue,
// conversation ownership, and node liveness, as typed operations over the Lua scripts.
//
// Every operation that reads and then writes runs as one script, so Redis executes it
// atomically: two nodes racing to assign one conversation, or to fill an agent's last free
// place, are serialised by Redis and one of them is refused. Callbacks run on the client's
// strand, once, with the client's errors (redis_client.hpp) or RedisErrc::bad_reply when Redis
// refused the script (the message is printed to stderr).
//
// The key names (docs/scaling.md), with P the prefix ("{chat}" unless configured):
//   P:agents                      SET  every agent ever seen
//   P:agents:online               SET  agents that may take conversations
//   P:agent:<id>                  HASH node, status, capacity, langs, seen_ms, last_assigned_ms
//   P:agent:<id>:convs            SET  conversations assigned to it (its load is its size)
//   P:queue:priority, P:queue:normal  ZSET conversation ids, scored by queued_ms
//   P:conv:<id>                   HASH owner, epoch, stage, agent, visitor, lang, priority, queued_ms
//   P:node:<id>                   STRING the node's liveness (SET … PX ttl, renewed by its heartbeat)
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

#include "redis_client.hpp"

namespace chat::cluster {

struct AgentPresence {
    std::string agent, node;
    int capacity = 3;
    std::vector<std::string> langs;
    std::string status = "online";  // online | away
    std::int64_t now_ms = 0;
};

struct QueueEntry {
    std::string conv, owner, visitor, lang;
    bool priority = false;
    std::int64_t now_ms = 0;
};

struct Assignment {
    std::string conv, agent, agent_node, owner;
    long long load = 0;  // the agent's conversations, this one included
};

// ok, or refused with the script's reason (already_assigned, no_agent, agent_full…).
struct AssignResult {
    bool ok = false;
    std::string reason;
    Assignment assignment;
};

struct EnqueueResult {
    bool ok = false;
    long long position = 0;  // 1-based
    std::string agent;       // when refused: the agent that already has it
};

struct ClaimResult {
    bool ok = false;
    long long epoch = 0;
    std::string owner;  // the previous owner ('' if none); when refused, the live owner
};

template <class T>
using Done = std::function<void(std::error_code, T)>;

class Store {
public:
    explicit Store(RedisClient& client, std::string prefix = "{chat}");

    void agent_online(const AgentPresence& p, Done<long long> done);
    void agent_offline(const std::string& agent, std::int64_t now_ms, Done<std::vector<std::string>> done);
    void enqueue(const QueueEntry& e, Done<EnqueueResult> done);
    // by: auto | manual | transfer; agent '' = the router's pick.
    void assign(const std::string& conv, std::int64_t now_ms, const std::string& agent, const std::string& by,
                Done<AssignResult> done);
    void drain(std::int64_t now_ms, int max, Done<std::vector<Assignment>> done);
    // stage: resolved | abandoned | bot; keep_ms: 0 = keep the record, else its lifetime.
    void release(const std::string& conv, const std::string& stage, std::int64_t keep_ms, Done<std::string> done);
    void claim(const std::string& conv, const std::string& node, Done<ClaimResult> done);
    // The same, declaring no owner dead within `grace_ms` of P:since (see claim.lua).
    void claim(const std::string& conv, const std::string& node, std::int64_t now_ms, std::int64_t grace_ms,
               Done<ClaimResult> done);
    // Open conversations of dead nodes (not `node`) waiting for a new owner, up to `count`
    // drawn at random from each dead node's journaled set: {conv, dead owner} pairs (see
    // sweep.lua). Nothing within `grace_ms` of P:since.
    struct Orphan {
        std::string conv, owner;
    };
    void sweep(const std::string& node, std::int64_t now_ms, std::int64_t grace_ms, int count,
               Done<std::vector<Orphan>> done);
    // P:since = now_ms unless set: when Redis's current data began, as far as the nodes know.
    void mark_since(std::int64_t now_ms);
    // The owner's own view of one of its conversations (stage queued or assigned), written
    // back after Redis lost it; false (no error) when another node owns it now.
    struct Held {
        std::string conv, owner, stage, agent, visitor, lang;
        bool priority = false;
        std::int64_t queued_ms = 0;
    };
    void restore(const Held& h, Done<bool> done);
    // Appends events (serialised) to the conversation's journal, if `node` owns it (or nobody
    // does yet): ok, or refused with the owner's id.
    void journal(const std::string& conv, const std::string& node, const std::string& visitor, std::int64_t keep_ms,
                 std::vector<std::string> events, Done<ClaimResult> done);
    // The conversation's journal, oldest first.
    void read_journal(const std::string& conv, Done<std::vector<std::string>> done);
    // PUBLISH; the number of subscribers that received it.
    void publish(const std::string& channel, std::string payload, Done<long long> done);
    // Sets the node's liveness key for ttl_ms.
    void heartbeat(const std::string& node, std::int64_t ttl_ms, Done<bool> done);

    // P:part:part…, for readers and tests.
    std::string key(std::initializer_list<std::string_view> parts) const;
    const std::string& prefix() const { return prefix_; }

private:
    // EVALSHA, and EVAL once when Redis does not know the script yet (NOSCRIPT).
    void eval(std::string_view name, std::vector<std::string> args, ReplyCallback done);

    RedisClient& client_;
    std::string prefix_;
};

}  // namespace chat::cluster
