// visitor_session.cpp — identifying the visitor and forwarding checked frames to the core.
#include "visitor_session.hpp"

#include "core.hpp"
#include "identity.hpp"
#include "metrics.hpp"
#include "protocol.hpp"
#include "request_parts.hpp"
#include "security_state.hpp"

namespace chat::server {

void VisitorSession::on_open(const http::request<http::string_body>& req) {
    state().metrics().visitor_connections++;
    id_ = state().core().new_session_id();
    lang_ = query_param(req.target(), "lang");
    if (lang_ != "fr" && lang_ != "en") lang_.clear();
    page_ = query_param(req.target(), "page").substr(0, 2048);
    const std::string token = query_param(req.target(), "token");
    visitor_ = token.empty() ? std::string{} : visitor_of_token(state().secret(), token);
    if (!visitor_.empty() && state().security().erased.contains(visitor_)) visitor_.clear();  // never reused
    if (visitor_.empty()) {
        visitor_ = new_visitor_id();
        token_ = visitor_token(state().secret(), visitor_);
    } else {
        token_ = token;
    }
    hello(std::nullopt);
}

void VisitorSession::hello(std::optional<std::uint64_t> last_seq) {
    auto self = std::static_pointer_cast<WebSocketSession>(shared_from_this());
    state().core().visitor_hello(id_, std::weak_ptr<FrameSink>(self), visitor_, token_, last_seq);
}

void VisitorSession::on_text(std::string_view text) {
    state().metrics().frames_in++;
    FrameError err;
    auto frame = parse_frame(text, state().config().limits.text_chars, err);
    if (!frame) return queue_error(err.code, err.message);
    if (frame->type == "resume") {
        const auto& tok = frame->body.contains("token") ? frame->body["token"] : nlohmann::json();
        const auto& seq = frame->body.contains("last_seq") ? frame->body["last_seq"] : nlohmann::json(0);
        if (!tok.is_string()) return queue_error("bad_request", "resume needs a \"token\" string");
        if (!seq.is_number_unsigned() && !(seq.is_number_integer() && seq.get<std::int64_t>() >= 0))
            return queue_error("bad_request", "resume needs a \"last_seq\" number >= 0");
        std::string visitor = visitor_of_token(state().secret(), tok.get<std::string>());
        if (visitor.empty()) return queue_error("unauthorized", "unknown or forged token");
        if (state().security().erased.contains(visitor)) return queue_error("unauthorized", "this visitor was erased");
        state().core().visitor_gone(id_, visitor_);
        visitor_ = std::move(visitor);
        token_ = tok.get<std::string>();
        return hello(seq.get<std::uint64_t>());
    }
    state().core().visitor_frame(id_, visitor_, std::move(frame->body), lang_, page_);
}

void VisitorSession::on_closed() {
    state().metrics().visitor_connections--;
    state().core().visitor_gone(id_, visitor_);
}

}  // namespace chat::server
