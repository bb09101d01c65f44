// visitor.cpp — the shopper's conversation script and what it measures.
#include "visitor.hpp"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "frame.hpp"

namespace chat::bench {

using json = nlohmann::json;

void Visitor::start() {
    state_ = State::connecting;
    connect(run_.opt.sources.empty() ? std::string{} : run_.source(), "/ws/visitor");
}

void Visitor::on_open() {
    if (resuming_) {
        // Come back as the same shopper: the server replays every frame after last_seq_.
        send(json{{"type", "resume"}, {"token", token_}, {"last_seq", last_seq_}}.dump());
    }
}

void Visitor::new_conversation() {
    bot_turns_left_ = 1 + static_cast<int>(run_.rng() % 3);
    agent_turns_ = 0;
    state_ = State::ask_bot;
}

void Visitor::send_message(std::string_view text_json, bool to_agent) {
    // The bytes nlohmann's dump() gives for {type, text, client_id} (keys in order), built
    // directly: this runs for every message.
    Unacked u;
    char id[48];
    const int id_len = std::snprintf(id, sizeof id, "v%llu-%llu", static_cast<unsigned long long>(id_),
                                     static_cast<unsigned long long>(next_client_++));
    u.frame.reserve(kClientIdAt + static_cast<std::size_t>(id_len) + text_json.size() + 32);
    u.frame.append(R"({"client_id":")").append(id, static_cast<std::size_t>(id_len)).append(R"(","text":)");
    u.frame.append(text_json).append(R"(,"type":"message"})");
    u.client_id_len = static_cast<std::uint32_t>(id_len);
    u.sent_us = now_us();
    u.measured = run_.measuring;
    if (run_.measuring) run_.c.sent++;
    if (!to_agent) bot_waits_.push_back(u.sent_us);
    send(u.frame);
    unacked_.push_back(std::move(u));
}

void Visitor::step() {
    if (state_ == State::ask_bot) {
        state_ = State::wait_bot;
        send_message(run_.question().text_json, false);
    } else if (state_ == State::talk_agent) {
        state_ = State::wait_agent;
        ++agent_turns_;
        // The agent's process reads the send time off the text: the monotonic clock is the machine's.
        send_message(R"("About my order, one more detail please [t=)" + std::to_string(now_us()) + R"(]")", true);
    }
}

void Visitor::after_bot_answer() {
    if (--bot_turns_left_ > 0) {
        state_ = State::ask_bot;
    } else if (run_.opt.agents > 0 && run_.uniform() < run_.opt.handoff_ratio) {
        state_ = State::queued;
        if (run_.measuring) run_.c.handoffs++;
        send(R"({"type":"handoff"})");
    } else {
        state_ = State::wait_resolved;
        send(R"({"type":"helpful","value":true})");
    }
}

void Visitor::check_seq(std::string_view conv, std::uint64_t seq) {
    if (conv != conv_) {
        conv_ = std::string(conv);
        last_seq_ = 0;
    }
    if (seq <= last_seq_) {
        run_.c.duplicates++;
        return;
    }
    if (seq != last_seq_ + 1) run_.c.gaps++;
    last_seq_ = seq;
}

void Visitor::on_frame(std::string_view text) {
    Frame f;
    if (!parse_frame(text, f)) {
        run_.c.errors++;
        run_.c.error_codes["unparsable_frame"]++;
        return;
    }
    const bool measuring = run_.recording;
    if (f.type == "ack") {
        for (auto it = unacked_.begin(); it != unacked_.end(); ++it) {
            if (it->client_id() != f.client_id) continue;
            if (it->measured) {
                run_.c.acked++;
                const std::uint64_t latency = now_us() - it->sent_us;
                run_.c.ack.add(latency);
                if (!run_.opt.timeline_path.empty()) run_.timeline.emplace_back(it->sent_us, static_cast<std::uint32_t>(latency));
            }
            if (run_.acked_out.is_open()) run_.acked_out << f.msg << '\n';
            unacked_.erase(it);
            break;
        }
    } else if (f.type == "message") {
        if (f.has_seq) check_seq(f.conv, f.seq);
        if (f.author == "bot") {
            if (!bot_waits_.empty()) {
                if (measuring) {
                    run_.c.bot_replies++;
                    run_.c.bot_reply.add(now_us() - bot_waits_.front());
                }
                bot_waits_.pop_front();
            }
            if (state_ == State::wait_bot) {
                if (f.outcome == "handoff") {
                    state_ = State::queued;
                    if (measuring) run_.c.handoffs++;
                } else {
                    after_bot_answer();
                }
            }
        } else if (f.author == "agent") {
            if (measuring) run_.c.agent_messages++;
            if (state_ == State::wait_agent) state_ = State::talk_agent;
        }
    } else if (f.type == "welcome") {
        if (resuming_ && f.token != token_) return;  // the connection's own fresh identity, before the resume
        token_ = std::string(f.token);
        if (resuming_) {
            resuming_ = false;
            run_.c.resumes++;
            for (auto& u : unacked_) {
                u.measured = false;  // its latency includes the outage: not a fair sample
                send(u.frame);
            }
        } else if (!f.conv.empty()) {
            conv_ = std::string(f.conv);
            last_seq_ = f.last_seq;
        }
        if (f.stage == "queued") state_ = State::queued;
        else if (f.stage == "assigned") state_ = State::talk_agent;
        else new_conversation();
    } else if (f.type == "assigned") {
        if (f.has_seq) check_seq(f.conv, f.seq);
        agent_turns_ = 0;
        state_ = State::talk_agent;
    } else if (f.type == "queued") {
        if (state_ != State::talk_agent && state_ != State::wait_agent) state_ = State::queued;
    } else if (f.type == "no_agent") {
        state_ = State::wait_resolved;
        send(R"({"type":"resolve"})");
    } else if (f.type == "resolved") {
        if (f.has_seq) check_seq(f.conv, f.seq);
        if (measuring) run_.c.conversations_resolved++;
        state_ = State::wait_ok;
        send(json{{"type", "csat"}, {"score", 3 + static_cast<int>(run_.rng() % 3)}}.dump());
    } else if (f.type == "ok") {
        if (f.for_ == "csat") {
            if (measuring) run_.c.csat++;
            if (run_.opt.new_shoppers && unacked_.empty()) {
                // This shopper is done; a new one takes the connection's place.
                leaving_ = true;
                return leave();
            }
            new_conversation();
        }
    } else if (f.type == "error") {
        run_.c.errors++;
        run_.c.error_codes[std::string(f.code.empty() ? "unknown" : f.code)]++;
        // Whatever was asked was refused: no answer will come, carry on with a new question.
        bot_waits_.clear();
        if (state_ != State::queued && state_ != State::talk_agent) new_conversation();
        if (f.code == "unavailable" && run_.opt.reconnect) {
            // The server could not store it: send the unacknowledged messages again shortly.
            if (!retry_) retry_ = std::make_unique<net::steady_timer>(ioc_);
            retry_->expires_after(std::chrono::milliseconds(500));
            retry_->async_wait([self = std::static_pointer_cast<Visitor>(shared_from_this())](boost::system::error_code ec) {
                if (ec || !self->open()) return;
                for (auto& u : self->unacked_) {
                    u.measured = false;
                    self->send(u.frame);
                }
            });
        }
    }
}

void Visitor::on_down(bool was_open) {
    bot_waits_.clear();
    state_ = State::connecting;
    if (leaving_) {
        leaving_ = false;
        token_.clear();
        conv_.clear();
        last_seq_ = 0;
        // After the read that brought the rating's ok is handled, not within it.
        net::post(ioc_, [self = std::static_pointer_cast<Visitor>(shared_from_this())] { self->start(); });
        return;
    }
    if (!run_.opt.reconnect) return;
    resuming_ = !token_.empty();
    if (!retry_) retry_ = std::make_unique<net::steady_timer>(ioc_);
    retry_->expires_after(std::chrono::milliseconds(was_open ? 200 + run_.rng() % 300 : 500));
    retry_->async_wait([self = std::static_pointer_cast<Visitor>(shared_from_this())](boost::system::error_code ec) {
        if (!ec) self->start();
    });
}

}  // namespace chat::bench
