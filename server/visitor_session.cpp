// visitor_session.cpp — the shopper's read loop, frame checks and bounded write queue.
#include "visitor_session.hpp"

#include "identity.hpp"
#include "protocol.hpp"

namespace chat::server {

namespace {
// The value of query parameter `key` in `target` (not decoded), empty when absent.
std::string query_param(std::string_view target, std::string_view key) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return {};
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) == key) return eq == std::string_view::npos ? std::string{} : std::string(pair.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
    }
    return {};
}
}  // namespace

VisitorSession::VisitorSession(tcp::socket&& socket, std::shared_ptr<SharedState> state)
    : ws_(std::move(socket)), state_(std::move(state)) {}

VisitorSession::~VisitorSession() {
    if (joined_) state_->leave(this);
}

void VisitorSession::run(http::request<http::string_body> req) {
    lang_ = query_param(req.target(), "lang");
    if (lang_ != "fr" && lang_ != "en") lang_.clear();
    page_ = query_param(req.target(), "page");

    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = std::chrono::seconds(60);  // a ping is sent at half of it
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "chatd"); }));
    ws_.read_message_max(state_->config().limits.frame_bytes);
    ws_.text(true);
    ws_.async_accept(req, beast::bind_front_handler(&VisitorSession::on_accept, shared_from_this()));
}

void VisitorSession::on_accept(error_code ec) {
    if (ec) return;
    if (!state_->join(shared_from_this())) {
        close_with(websocket::close_code::try_again_later);
        return;
    }
    joined_ = true;
    visitor_ = "v" + random_hex(8);
    token_ = random_hex(16);
    queue(std::make_shared<const std::string>(welcome_frame(visitor_, token_, std::nullopt, 0)));
    do_read();
}

void VisitorSession::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&VisitorSession::on_read, shared_from_this()));
}

void VisitorSession::on_read(error_code ec, std::size_t) {
    if (ec == websocket::error::message_too_big) {
        // Beast has already failed the stream with close code 1009 (too big).
        return;
    }
    if (ec) return;  // closed, timed out or reset: the session ends here
    if (!ws_.got_text()) {
        queue(std::make_shared<const std::string>(error_frame("bad_request", "binary frames are not accepted")));
    } else {
        auto data = buffer_.cdata();
        on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    if (!closing_) do_read();
}

void VisitorSession::on_frame(std::string_view text) {
    FrameError err;
    auto frame = parse_frame(text, state_->config().limits.text_chars, err);
    if (!frame) {
        queue(std::make_shared<const std::string>(error_frame(err.code, err.message)));
        return;
    }
    if (frame->type == "resume") {
        queue(std::make_shared<const std::string>(welcome_frame(visitor_, token_, std::nullopt, 0)));
        return;
    }
    if (frame->type == "typing") return;
    if (frame->type == "message" || frame->type == "handoff" || frame->type == "csat") {
        queue(std::make_shared<const std::string>(error_frame("unavailable", "conversations are not open on this node")));
        return;
    }
    queue(std::make_shared<const std::string>(error_frame("bad_request", "unknown frame type '" + frame->type + "'")));
}

void VisitorSession::send(std::shared_ptr<const std::string> frame) {
    net::post(ws_.get_executor(), [self = shared_from_this(), f = std::move(frame)]() mutable { self->queue(std::move(f)); });
}

void VisitorSession::queue(std::shared_ptr<const std::string> frame) {
    if (closing_) return;
    if (outbox_.size() >= state_->config().limits.outgoing_queue_frames) {
        // The client does not read: drop it rather than buffer without bound.
        outbox_.resize(1);  // keep only the frame being written
        close_after_flush_ = websocket::close_code::policy_error;
        closing_ = true;
        if (!writing_) close_with(*close_after_flush_);
        return;
    }
    outbox_.push_back(std::move(frame));
    if (!writing_) do_write();
}

void VisitorSession::do_write() {
    writing_ = true;
    ws_.async_write(net::buffer(*outbox_.front()), beast::bind_front_handler(&VisitorSession::on_write, shared_from_this()));
}

void VisitorSession::on_write(error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return;
    outbox_.pop_front();
    if (close_after_flush_ && (outbox_.empty() || closing_)) {
        outbox_.clear();
        return close_with(*close_after_flush_);
    }
    if (!outbox_.empty()) do_write();
}

void VisitorSession::shutdown() {
    net::post(ws_.get_executor(), [self = shared_from_this()] {
        if (self->close_after_flush_) return;
        self->close_after_flush_ = websocket::close_code::going_away;
        if (!self->writing_) self->close_with(websocket::close_code::going_away);
    });
}

void VisitorSession::close_with(websocket::close_code code) {
    closing_ = true;
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = std::chrono::seconds(1);  // bounds the close handshake
    ws_.set_option(timeouts);
    ws_.async_close(code, [self = shared_from_this()](error_code) {});
}

}  // namespace chat::server
