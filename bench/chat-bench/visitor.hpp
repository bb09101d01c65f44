// visitor.hpp — one simulated shopper. A conversation goes: one to three FAQ questions the bot
// answers; then either "that helped" (the bot resolves it) or, for --handoff-ratio of them
// when agents run, a handoff, two messages with the agent, the agent's resolution; then a
// CSAT rating, and the next conversation. The pacer decides when the next message goes out;
// a shopper waiting for an answer is not ready and is skipped.
//
// Measured: ack latency (message sent → its ack), bot reply latency (question → the bot's
// answer), and for fault runs every conversation frame's seq (a repeated seq is a duplicate,
// a skipped one a gap) and every message never acknowledged. With --reconnect a shopper whose
// connection ends comes back with `resume` and resends what was not acknowledged. With
// --new-shoppers a shopper leaves after rating and a new one (no token) connects instead.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "connection.hpp"

namespace chat::bench {

class Visitor : public Connection {
public:
    Visitor(net::io_context& ioc, Loop& loop, Run& run, std::uint64_t id) : Connection(ioc, loop, run), id_(id) {}
    void start();
    // Ready for the pacer: open, and not waiting for an answer.
    bool ready() const { return open() && (state_ == State::ask_bot || state_ == State::talk_agent); }
    // Sends the next message of the conversation; call only when ready().
    void step();
    // Messages sent and never acknowledged.
    std::size_t unacked() const { return unacked_.size(); }

private:
    enum class State { connecting, ask_bot, wait_bot, wait_resolved, wait_ok, queued, talk_agent, wait_agent };
    void on_open() override;
    void on_frame(std::string_view text) override;
    void on_down(bool was_open) override;
    // `text_json`: the text as a JSON string (quoted, escaped).
    void send_message(std::string_view text_json, bool to_agent);
    void after_bot_answer();
    void new_conversation();
    void check_seq(std::string_view conv, std::uint64_t seq);

    struct Unacked {
        std::string frame;            // {"client_id":"…","text":…,"type":"message"}
        std::uint32_t client_id_len;  // the client_id is frame[kClientIdAt, +len)
        std::uint64_t sent_us;
        bool measured;
        std::string_view client_id() const { return std::string_view(frame).substr(kClientIdAt, client_id_len); }
    };
    static constexpr std::size_t kClientIdAt = sizeof(R"({"client_id":")") - 1;

    std::uint64_t id_;
    State state_ = State::connecting;
    std::string token_, conv_;
    std::uint64_t last_seq_ = 0;
    std::uint64_t next_client_ = 1;
    int bot_turns_left_ = 1;
    int agent_turns_ = 0;
    bool resuming_ = false;
    bool leaving_ = false;  // --new-shoppers: closed after rating, to come back as a new shopper
    std::deque<Unacked> unacked_;
    std::deque<std::uint64_t> bot_waits_;  // send times of questions awaiting the bot, oldest first
    std::unique_ptr<net::steady_timer> retry_;
};

}  // namespace chat::bench
