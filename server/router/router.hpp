// router.hpp — the conversation router: who talks to whom, as a pure state machine.
//
// Every input (a visitor's frame, an agent's frame, the passing of time) goes through one
// method that returns Effects: the events to append to the log, the frames to send once those
// events are durable, and the frames to send at once (errors, typing). The state changes only
// through apply(event), which is also how the state is rebuilt at start-up by replaying the
// log: recovery is not a second code path. Messages are typed (message_event.hpp): emitted
// live and replayed alike through apply_message; so are the lifecycle events (conv_event.hpp)
// through apply_conv. No sockets, no clocks (time comes in as `now_ms`),
// no randomness, so the same log always yields the same state and tests run in microseconds.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "deadlines.hpp"
#include "message_event.hpp"
#include "state.hpp"

namespace chat::router {

using json = nlohmann::json;
using SessionId = std::uint64_t;

// What the FAQ bot decided about one visitor message (filled by the caller's bot adapter).
struct BotAnswer {
    std::optional<std::string> faq;     // FAQ topic id, when the answer is an FAQ entry
    std::optional<std::string> intent;  // topic or conversational intent (greeting, human_agent…)
    std::string outcome = "fallback";   // answer | suggest | fallback | smalltalk | handoff
    double score = 0;
    std::string lang = "en";
    std::string text;                                             // the bot's reply
    std::vector<std::pair<std::string, std::string>> suggestions;  // quick replies: label, faq
    std::string handoff_reason;  // visitor_asked | bot_fallback | negative_sentiment | complaint
    bool priority = false;
};
struct BotContext {
    std::string lang;         // the conversation's language so far ("" when unknown)
    int fallback_streak = 0;  // fallbacks in a row before this message
    std::string faq;          // a quick reply's topic, when the visitor clicked one
};
using BotFn = std::function<BotAnswer(const std::string& text, const BotContext& ctx)>;
// Reads the log lines at the given places (as given to Router::logged), in that order.
using LogReadFn = std::function<std::vector<std::string>(const std::vector<std::uint64_t>& places)>;

// What rebuilding a conversation's history from the log takes, copied out of the router so
// that the reading and the rebuilding may run on another thread (Router::history_from_lines).
struct HistoryRequest {
    std::string conv;
    std::vector<std::uint64_t> places;  // as given to Router::logged
    bool erased = false;                // the visitor's texts are forgotten: null them
    // When only the oldest frames are in the log: the latest, in memory, which follow them.
    std::vector<HistoryFrame> tail;
};

struct RouterConfig {
    std::string node = "n";                                  // conversation ids are c<node>-<n>
    std::int64_t reopen_window_ms = 24LL * 3600 * 1000;      // a resolved conversation reopens within it
    std::int64_t bot_inactivity_ms = 15LL * 60 * 1000;       // silent visitor with the bot
    std::int64_t agent_inactivity_ms = 30LL * 60 * 1000;     // silent conversation with an agent
    std::int64_t queue_abandon_ms = 2LL * 60 * 1000;         // visitor gone while queued
    std::int64_t agent_grace_ms = 30LL * 1000;               // agent disconnected before going offline
    std::size_t client_ids_kept = 512;                       // per visitor, for duplicate detection
    // A closed conversation's history stays in memory this long, then is read from the log
    // when needed (resume, transcript, reopening). Negative: always kept in memory.
    std::int64_t history_kept_ms = 10LL * 60 * 1000;
    // An open conversation keeps at most twice this many frames in memory: past that, once
    // every event of it is placed, all but the latest this many go to the log (0: all kept).
    std::size_t history_frames_kept = 16;
    std::string offline_hours_fr = "du lundi au vendredi, de 9 h à 18 h";
    std::string offline_hours_en = "Monday to Friday, 9 am to 6 pm";
    // Business hours; unset means humans may answer at any time.
    bool hours_set = false;
    int utc_offset_minutes = 0;
    std::uint8_t open_days = 0b0011111;  // bit 0 = Monday … bit 6 = Sunday
    int open_minute = 9 * 60, close_minute = 18 * 60;
    // Cluster mode (docs/scaling.md): the queue is shared through Redis, which picks the
    // agents; this router never assigns by itself, and is told with cluster_assigned().
    bool shared_queue = false;
};

// Serialises a frame or event; text that is not valid UTF-8 is replaced, never thrown on.
inline std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The ack of a message (`conv` left out when empty: visitors' acks carry none).
std::string ack_frame(std::string_view client_id, std::string_view conv, std::string_view msg, std::uint64_t seq);

// A conversation's "resolved" frame: in its history without the questions, to the visitor
// at the moment of resolution with them (ask_csat always, ask_nps when given).
std::string resolved_frame(std::string_view conv, std::uint64_t seq, std::int64_t ts, std::string_view by,
                           std::optional<bool> ask_nps = std::nullopt);

// Whether `now_ms` falls within the configured business hours (always true when unset).
bool within_hours(const RouterConfig& cfg, std::int64_t now_ms);

// Where a frame goes.
struct Send {
    enum class To { session, visitor, agent, all_agents } to;
    std::string id;       // visitor or agent id
    SessionId session = 0;
    std::string frame;    // serialised JSON
};

struct Effects {
    std::vector<Event> events;     // in order; each already applied to the state
    std::vector<Send> on_durable;  // after every event above is in the durable log
    std::vector<Send> now;         // not logged: errors, typing, duplicate acks of durable messages
    void error(SessionId s, std::string_view code, std::string_view message);
};

// An agent as the accounts know it (not in the log).
struct AgentProfile {
    std::vector<std::string> langs{"fr", "en"};
    int capacity = 3;
};

class Router {
public:
    Router(RouterConfig cfg, BotFn bot);

    // --- rebuilding and applying ---
    // Applies one logged event (live or replayed). Unknown types are ignored.
    void apply(const json& event);
    void apply(const Event& event);
    // After a replay: marks every agent that was online as disconnected since `now_ms`, so that
    // agents who do not come back within the grace period go offline.
    void finish_replay(std::int64_t now_ms);
    // After a rebuild while connections stayed open: how many sessions each visitor and agent has.
    void restore_sessions(const std::unordered_map<std::string, int>& visitors,
                          const std::unordered_map<std::string, int>& agents);

    // --- histories kept in the log ---
    // How to read log lines back; without it every history stays in memory.
    void set_log_reader(LogReadFn read) { read_log_ = std::move(read); }
    // The next event of `conv` not yet placed (in the order applied) is durable at `place`;
    // unknown conversations are ignored.
    void logged(const std::string& conv, std::uint64_t place);
    // Conversations closed at least history_kept_ms before `now_ms`, every event placed, leave
    // their histories to the log. Called by tick(), and by the replay as it goes.
    void trim(std::int64_t now_ms);
    // A conversation's history: in memory, or read from the log into `scratch`.
    // Frames with a seq after `after` (all by default) are all there; the log is read only for
    // those that are not in memory.
    const std::vector<HistoryFrame>& history_of(const Conversation& c, std::vector<HistoryFrame>& scratch,
                                                std::uint64_t after = 0) const;
    // For a history left to the log, wholly or its oldest frames, what rebuilding it takes;
    // nullopt when it is all in memory.
    std::optional<HistoryRequest> history_request(const Conversation& c) const;
    // The history rebuilt from the lines at the request's places, by applying them to a
    // scratch router: pure, callable from any thread.
    static std::vector<HistoryFrame> history_from_lines(const HistoryRequest& request, const std::vector<std::string>& lines);

    // --- visitors ---
    // A visitor's socket said hello (new, or resuming with `last_seq`). Sends welcome + replay.
    Effects visitor_connected(SessionId s, const std::string& visitor, const std::string& token,
                              std::optional<std::uint64_t> last_seq, std::int64_t now_ms);
    void visitor_disconnected(SessionId s, const std::string& visitor, std::int64_t now_ms);
    Effects visitor_frame(SessionId s, const std::string& visitor, const json& frame, const std::string& lang,
                          const std::string& page, std::int64_t now_ms);

    // --- the agents' queue view ---
    // The queue frame for every connected agent when the queue changed since the last call,
    // else nothing. The core calls it a few times a second: under a busy queue one frame per
    // interval reaches each agent instead of one per change (each the size of the queue).
    std::optional<std::string> take_queue_update(bool even_without_agents = false);

    // --- agents ---
    void set_agent_profile(const std::string& agent, AgentProfile profile);
    Effects agent_connected(SessionId s, const std::string& agent, std::int64_t now_ms);
    Effects agent_disconnected(SessionId s, const std::string& agent, std::int64_t now_ms);
    Effects agent_frame(SessionId s, const std::string& agent, const json& frame, std::int64_t now_ms);
    // The account was removed: offline at once, conversations back to the queue.
    Effects agent_removed(const std::string& agent, std::int64_t now_ms);
    // The visitor was erased: every text of their conversations' histories becomes null.
    void forget_texts(const std::string& visitor);

    // --- cluster mode (shared_queue) ---
    // Redis gave `conv` to `agent` (by auto | manual | transfer): the assignment is written
    // here, by the conversation's owner. Nothing happens (no events) when the conversation is
    // no longer in a stage that fits (resolved meanwhile, say): the caller then releases it.
    Effects cluster_assigned(const std::string& conv, const std::string& agent, const std::string& by,
                             std::int64_t now_ms);
    // `agent` went offline on another node (its console's): the conversations it holds here go
    // back to the head of the queue as for a local agent (agent.status written here too, for
    // this log). Nothing when it holds none here.
    Effects cluster_agent_offline(const std::string& agent, std::int64_t now_ms);
    // The `assigned` frame (with the history) an agent's console gets for `conv`; "" if unknown.
    std::string assigned_frame(const std::string& conv) const;

    // --- time ---
    // Inactivity resolutions, abandonment, agents past their grace period.
    Effects tick(std::int64_t now_ms);

    // --- reading ---
    const State& state() const { return st_; }
    std::size_t queue_length() const { return st_.queue_priority.size() + st_.queue_normal.size(); }
    // Open conversations in `stage` (bot, queued or assigned), counted as they change.
    std::size_t open_in(Stage stage) const { return st_.open_by_stage[static_cast<int>(stage)]; }
    // 1-based queue position, 0 when not queued.
    std::size_t queue_position(const std::string& conv) const;
    json conversation_summary(const Conversation& c) const;

private:
    // Builds an event, applies it, and records it in `fx`.
    void emit(Effects& fx, json event);
    void emit(Effects& fx, MessageEvent&& event);
    void emit(Effects& fx, ConvEvent&& event);
    // A message event's change of state (live, or converted from a replayed line).
    void apply_message(Conversation& c, const MessageEvent& m);
    void apply_conv(const ConvEvent& e);
    void close_conversation(Conversation& c, std::int64_t ts, bool resolved, const std::string& by);
    // Every change of a stage or of being open goes through these, which keep open_by_stage.
    void set_stage(Conversation& c, Stage stage);
    void set_open(Conversation& c, bool open);
    // The queue's changes: `c` joins at its back or (given back by an agent) its front, or
    // leaves it; each marks where positions start to change.
    void enqueue(Conversation& c, bool front);
    void dequeue(const Conversation& c);
    // A bot message of `c` with the next msg id (the answer's fields, or the fallback's).
    MessageEvent bot_message(const Conversation& c, std::int64_t now) const;
    Conversation* current_conversation(const std::string& visitor);

    void visitor_message(Effects& fx, SessionId s, const std::string& visitor, const json& frame,
                         const std::string& lang, const std::string& page, std::int64_t now);
    void bot_reply(Effects& fx, Conversation& c, BotAnswer&& answer, std::int64_t now);
    void request_handoff(Effects& fx, Conversation& c, const std::string& reason, bool priority, std::int64_t now);
    // Assigns queued conversations to free agents, in queue order, and pushes positions.
    void drain_queue(Effects& fx, std::int64_t now);
    std::optional<std::string> pick_agent(const Conversation& c, const std::string& except = "") const;
    void push_queue_positions(Effects& fx);
    void send_assignment(Effects& fx, const Conversation& c, const std::string& agent);
    void resolve(Effects& fx, Conversation& c, const std::string& by, const std::string& agent, std::int64_t now);
    void agent_goes_offline(Effects& fx, const std::string& agent, std::int64_t now);
    // Timeouts (deadlines.hpp): the first moment `c` could time out, as known at `now`; an
    // earlier look at `c` after a change at `ts` that may bring that moment forward; and the
    // look itself, which closes `c` if its time has come.
    std::int64_t next_check(const Conversation& c, std::int64_t now) const;
    void schedule_every_open(std::int64_t now);  // (again) from scratch: after a replay
    void watch(Conversation& c, std::int64_t ts);
    // Since when `c`'s visitor has been away (no session), or nullopt while connected.
    std::optional<std::int64_t> visitor_gone_since(const Conversation& c) const;
    void time_out(Effects& fx, Conversation& c, std::int64_t now);

    // The history of `c` rebuilt from its logged events, read here (texts nulled for an erased
    // visitor).
    std::vector<HistoryFrame> read_history(const Conversation& c) const;
    // `c`'s history, back in memory if it was left to the log, before a frame joins it.
    std::vector<HistoryFrame>& history_to_extend(Conversation& c);
    // Past twice history_frames_kept frames, a conversation whose events are all placed keeps
    // the latest history_frames_kept in memory and leaves the others to the log.
    void leave_oldest_frames(Conversation& c);
    // Every text of these frames becomes null.
    static void null_texts(std::vector<HistoryFrame>& frames);

    // frames
    std::string message_frame(const Conversation& c, const MessageEvent& event, std::uint64_t seq) const;
    json assigned_frame_for_agent(const Conversation& c) const;
    std::string queue_frame() const;  // the agents' view of the queue

    RouterConfig cfg_;
    Agent& agent_record(const std::string& id);
    void remember(IdMap<Sent>& ids, IdRing& order, const std::string& cid,
                  Sent sent);
    void note_conversation_id(const std::string& id);
    void deliver(Effects& fx, const Conversation& c, const std::string& frame, bool visitor_visible);
    void finish(Effects& fx);  // end of every command: queue positions and snapshots

    BotFn bot_;
    LogReadFn read_log_;
    std::unordered_set<std::string> erased_;  // visitors whose texts are forgotten
    State st_;
    std::map<std::string, AgentProfile> profiles_;
    // The first queue index (0-based, priority then normal) whose position may have changed
    // since finish() last told the visitors theirs; npos: none.
    std::size_t queue_dirty_from_ = std::string::npos;
    bool queue_changed_ = false;  // since the last take_queue_update()
    // Filled from every open conversation once the replay is over (it makes no entries: watch()
    // waits for deadlines_ready_), then kept up to date.
    Deadlines deadlines_;
    bool deadlines_ready_ = false;
};

}  // namespace chat::router
