// state.hpp — the router's data: conversations, visitors, agents and the queue.
//
// Plain structs, owned by one Router on one strand. Everything here is derived from the event
// log (plus, for agents, the accounts), so a restart rebuilds it exactly.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "deadlines.hpp"
#include "id_hash.hpp"
#include "sharded_map.hpp"

namespace chat::router {

enum class Stage { bot, queued, assigned, resolved, abandoned };
const char* stage_name(Stage s);

// A frame of the conversation's history, replayed on resume and shown to agents.
struct HistoryFrame {
    std::uint64_t seq;
    bool visitor_visible;  // notes are for agents only
    std::string frame;     // serialised JSON
};

struct Conversation {
    std::string id, visitor, lang, page;
    Stage stage = Stage::bot;
    std::string agent;  // current assignee, when assigned
    bool priority = false;
    bool handed_off = false;
    bool agent_replied = false;       // an agent wrote since the last assignment
    std::string last_bot_outcome;
    int fallback_streak = 0;
    std::int64_t opened_ms = 0, last_activity_ms = 0, queued_ms = 0, resolved_ms = 0;
    std::uint64_t last_seq = 0;  // conversation frame seq
    std::vector<HistoryFrame> history;
    std::set<std::string> tags;
    std::string resolved_by;
    std::size_t pushed_position = 0;  // last queue position told to the visitor
    std::string preview;              // the visitor's last message, shown in the agents' queue
    // Where its events are in the log (opaque places, given by logged()) and how many were
    // applied. A conversation closed for a while whose every event has a place leaves its
    // history to the log (history_in_log) and has it read back when someone needs it.
    std::vector<std::uint64_t> logged_at;
    std::uint32_t events = 0;
    bool history_in_log = false;
    // An open conversation's oldest frames leave memory too, once it has more than
    // history_frames_kept of them and every event is placed: `history` then holds the latest
    // ones, and this many before them are read back from the log when someone needs them.
    std::uint32_t frames_in_log = 0;
    bool is_open = false;  // in State::open (set_open)
    // When the tick is next to look at it for a timeout (deadlines.hpp); never: not scheduled.
    std::int64_t check_at = Deadlines::never;
};

// A message sent with a client_id, remembered so that a resend is acknowledged, not logged twice.
struct Sent {
    std::string msg, conv;
    std::uint64_t seq;
};

// The order client_ids were remembered in, to forget the oldest first: a vector, used as a
// ring once full (a std::deque would cost every visitor ~600 bytes before its first message).
struct IdRing {
    std::vector<std::string> ids;
    std::size_t oldest = 0;  // once full: the index of the oldest
};

struct Visitor {
    std::string id;
    std::string current;             // current (or last) conversation id
    std::vector<std::string> convs;  // every conversation, oldest first
    std::string lang, page;
    int sessions = 0;
    std::int64_t disconnected_ms = 0;
    bool nps_answered = false;
    IdMap<Sent> client_ids;  // bounded, oldest forgotten first
    IdRing client_id_order;
};

struct Agent {
    std::string id;
    std::vector<std::string> langs{"fr", "en"};
    int capacity = 3;
    std::string status = "offline";  // online | away | offline
    int sessions = 0;
    std::int64_t disconnected_ms = 0;
    std::int64_t last_assigned_ms = 0;
    std::set<std::string> convs;
    IdMap<Sent> client_ids;
    IdRing client_id_order;
};

struct State {
    // Every conversation of the reopen window and every visitor: millions on a sale day, so in
    // maps that grow a shard at a time (sharded_map.hpp).
    ShardedMap<Conversation> conversations;
    ShardedMap<Visitor> visitors;
    std::map<std::string, Agent> agents;
    std::set<std::string> open;  // conversations not resolved nor abandoned
    std::size_t open_by_stage[5] = {};  // the open ones by Stage, kept by set_stage/set_open
    std::deque<std::string> queue_priority, queue_normal;
    std::uint64_t opened_count = 0;  // for conversation ids
    // Conversations as they closed, oldest first (close time, id): whose histories may leave
    // memory once history_kept_ms has passed.
    std::deque<std::pair<std::int64_t, std::string>> closed;
    std::size_t histories_in_log = 0;  // conversations whose history is read from the log
};

}  // namespace chat::router
