// visitor_session.cpp — identifying the visitor and handing checked frames to the core.
#include "visitor_session.hpp"

#include "core.hpp"
#include "identity.hpp"
#include "metrics.hpp"
#include "protocol.hpp"
#include "request_parts.hpp"
#include "security_state.hpp"
#include "visitor_connection.hpp"

namespace chat::server {

void VisitorSession::opened(std::string_view target, std::weak_ptr<FrameSink> sink) {
    state_.metrics().visitor_connections++;
    open_ = true;
    sink_ = std::move(sink);
    id_ = state_.core().new_session_id();
    lang_ = query_param(target, "lang");
    if (lang_ != "fr" && lang_ != "en") lang_.clear();
    page_ = query_param(target, "page").substr(0, 2048);
    const std::string token = query_param(target, "token");
    visitor_ = token.empty() ? std::string{} : visitor_of_token(state_.secret(), token);
    if (!visitor_.empty() && state_.security().erased.contains(visitor_)) visitor_.clear();  // never reused
    if (visitor_.empty()) {
        visitor_ = new_visitor_id();
        token_ = visitor_token(state_.secret(), visitor_);
    } else {
        token_ = token;
    }
    hello(std::nullopt);
}

void VisitorSession::hello(std::optional<std::uint64_t> last_seq) {
    VisitorCall c;
    c.kind = VisitorCall::Kind::hello;
    c.session = id_;
    c.visitor = visitor_;
    c.sink = sink_;
    c.token = token_;
    c.last_seq = last_seq;
    conn_.to_core(std::move(c));
}

void VisitorSession::text(std::string_view text) {
    state_.metrics().frames_in++;
    FrameError err;
    auto frame = parse_frame(text, state_.config().limits.text_chars, err);
    if (!frame) return conn_.queue_error(err.code, err.message);
    if (frame->type == "resume") {
        const auto& tok = frame->body.contains("token") ? frame->body["token"] : nlohmann::json();
        const auto& seq = frame->body.contains("last_seq") ? frame->body["last_seq"] : nlohmann::json(0);
        if (!tok.is_string()) return conn_.queue_error("bad_request", "resume needs a \"token\" string");
        if (!seq.is_number_unsigned() && !(seq.is_number_integer() && seq.get<std::int64_t>() >= 0))
            return conn_.queue_error("bad_request", "resume needs a \"last_seq\" number >= 0");
        std::string visitor = visitor_of_token(state_.secret(), tok.get<std::string>());
        if (visitor.empty()) return conn_.queue_error("unauthorized", "unknown or forged token");
        if (state_.security().erased.contains(visitor)) return conn_.queue_error("unauthorized", "this visitor was erased");
        gone();
        visitor_ = std::move(visitor);
        token_ = tok.get<std::string>();
        return hello(seq.get<std::uint64_t>());
    }
    VisitorCall c;
    c.kind = VisitorCall::Kind::frame;
    c.session = id_;
    c.visitor = visitor_;
    c.frame = std::move(frame->body);
    c.lang = lang_;
    c.page = page_;
    conn_.to_core(std::move(c));
}

void VisitorSession::closed() {
    if (!open_) return;
    open_ = false;
    state_.metrics().visitor_connections--;
    gone();
}

void VisitorSession::gone() {
    VisitorCall c;
    c.kind = VisitorCall::Kind::gone;
    c.session = id_;
    c.visitor = visitor_;
    conn_.to_core(std::move(c));
}

}  // namespace chat::server
