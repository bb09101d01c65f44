// agent_session.cpp — authentication, then forwarding checked frames to the core.
#include "agent_session.hpp"

#include <chrono>

#include "clock.hpp"
#include "core.hpp"
#include "metrics.hpp"
#include "protocol.hpp"
#include "request_parts.hpp"

namespace chat::server {

namespace {
std::string cookie_token(const http::request<http::string_body>& req) {
    auto cookie = req.find(http::field::cookie);
    return cookie == req.end() ? std::string{} : cookie_value(cookie->value(), AuthService::kCookie);
}
}  // namespace

void AgentSession::on_open(const http::request<http::string_body>& req) {
    state().metrics().agent_connections++;
    id_ = state().core().new_session_id();
    std::string token = cookie_token(req);
    if (token.empty()) return;  // wait for an auth frame
    if (auto who = state().auth().check(token, now_ms())) {
        token_ = std::move(token);
        authenticated(std::move(*who));
    }
}

void AgentSession::authenticated(Principal who) {
    who_ = std::move(who);
    auto self = std::static_pointer_cast<WebSocketSession>(shared_from_this());
    state().core().agent_hello(id_, std::weak_ptr<FrameSink>(self), who_->name, who_->langs, who_->capacity);
}

void AgentSession::on_text(std::string_view text) {
    state().metrics().frames_in++;
    FrameError err;
    auto frame = parse_frame(text, state().config().limits.text_chars, err);
    if (!frame) return queue_error(err.code, err.message);
    if (!who_) {
        if (frame->type == "auth") {
            const auto& tok = frame->body.contains("token") ? frame->body["token"] : nlohmann::json();
            if (tok.is_string()) {
                if (auto who = state().auth().check(tok.get<std::string>(), now_ms())) {
                    token_ = tok.get<std::string>();
                    return authenticated(std::move(*who));
                }
            }
            queue_error("unauthorized", "invalid or expired session token");
        } else {
            queue_error("unauthorized", "authenticate first: log in, or send {\"type\":\"auth\",\"token\":…}");
        }
        if (++unauthenticated_frames_ >= 5) close_after_flush(1008, "authentication required");
        return;
    }
    if (frame->type == "auth") return queue_error("bad_request", "already authenticated");
    // A session that expired or was revoked (logout, account removed) ends here.
    if (!state().auth().check(token_, now_ms())) {
        queue_error("unauthorized", "session expired or revoked: log in again");
        return close_after_flush(1008, "session expired");
    }
    state().core().agent_frame(id_, who_->name, std::move(frame->body));
}

void AgentSession::on_closed() {
    state().metrics().agent_connections--;
    if (who_) state().core().agent_gone(id_, who_->name);
}

}  // namespace chat::server
