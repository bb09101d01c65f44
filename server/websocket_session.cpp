// websocket_session.cpp — accept, read loop, rate limit, bounded write queue, close.
#include "websocket_session.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include "metrics.hpp"
#include "protocol.hpp"
#include "security_state.hpp"

namespace chat::server {

namespace {
// A client still flooding after this many refused frames in a row is closed (1008).
constexpr int kRefusalsBeforeClose = 50;
}

WebSocketSession::WebSocketSession(tcp::socket&& socket, std::shared_ptr<SharedState> state)
    : ws_(std::move(socket)), state_(std::move(state)) {
    error_code ec;
    auto ep = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
    if (!ec) peer_ = state_->security().relayed.resolve(ep.address().to_string(), ep.port());
}

WebSocketSession::~WebSocketSession() {
    if (joined_) state_->leave(this);
}

void WebSocketSession::run(http::request<http::string_body> req) {
    req_ = std::move(req);
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = std::chrono::seconds(60);  // a ping is sent at half of it
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "chatd"); }));
    ws_.read_message_max(state_->config().limits.frame_bytes);
    ws_.text(true);
    tokens_ = state_->config().limits.burst;
    refilled_ = std::chrono::steady_clock::now();
    ws_.async_accept(req_, beast::bind_front_handler(&WebSocketSession::on_accept, shared_from_this()));
}

void WebSocketSession::on_accept(error_code ec) {
    if (ec) return;
    switch (state_->join(shared_from_this(), peer_)) {
    case SharedState::Join::ok: break;
    case SharedState::Join::address_full: return close_with(websocket::close_code::policy_error, "too many connections from your address");
    default: return close_with(websocket::close_code::try_again_later, "server full or stopping");
    }
    joined_ = true;
    on_open(req_);
    req_ = {};
    do_read();
}

void WebSocketSession::do_read() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

bool WebSocketSession::take_token() {
    const auto& lim = state_->config().limits;
    const auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(lim.burst, tokens_ + std::chrono::duration<double>(now - refilled_).count() * lim.msgs_per_s);
    refilled_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

void WebSocketSession::on_read(error_code ec, std::size_t) {
    if (ec) {
        // Closed, timed out, reset, or too big (Beast has then sent close 1009).
        return ended();
    }
    if (!take_token()) {
        buffer_.consume(buffer_.size());
        if (++refused_in_row_ >= kRefusalsBeforeClose) return close_with(websocket::close_code::policy_error, "flood");
        queue_error("rate_limited", "too many frames: slow down");
        return do_read();
    }
    refused_in_row_ = 0;
    if (!ws_.got_text()) {
        queue_error("bad_request", "binary frames are not accepted");
    } else {
        auto data = buffer_.cdata();
        on_text(std::string_view(static_cast<const char*>(data.data()), data.size()));
    }
    buffer_.consume(buffer_.size());
    if (!closing_) do_read();
}

void WebSocketSession::send(std::vector<std::shared_ptr<const std::string>> frames) {
    net::post(ws_.get_executor(), [self = shared_from_this(), fs = std::move(frames)]() mutable {
        // Several frames at once (echo, ack, answer): the kernel sends them as one segment
        // when the last is written, instead of one segment and one wake-up of the client each.
        if (fs.size() > 1 && !self->writing_) self->cork(true);
        for (auto& f : fs) self->queue(std::move(f));
        if (!self->writing_) self->cork(false);
    });
}

void WebSocketSession::queue_error(std::string_view code, std::string_view message) {
    queue(std::make_shared<const std::string>(error_frame(code, message)));
}

void WebSocketSession::queue(std::shared_ptr<const std::string> frame) {
    if (closing_ || close_after_flush_) return;
    if (outbox_.size() >= state_->config().limits.outgoing_queue_frames) {
        // The client does not read: drop it rather than buffer without bound.
        state_->metrics().slow_consumers_dropped++;
        while (outbox_.size() > (writing_ ? 1u : 0u)) outbox_.pop_back();
        close_after_flush_.emplace(websocket::close_code::policy_error, "too slow");
        if (!writing_) close_with(websocket::close_code::policy_error, "too slow");
        return;
    }
    outbox_.push_back(std::move(frame));
    if (!writing_) do_write();
}

void WebSocketSession::do_write() {
    writing_ = true;
    ws_.async_write(net::buffer(*outbox_.front()), beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(error_code ec, std::size_t) {
    writing_ = false;
    if (ec) return ended();
    outbox_.pop_front();
    if (!outbox_.empty()) return do_write();
    cork(false);
    if (close_after_flush_) close_with(close_after_flush_->first, close_after_flush_->second);
}

void WebSocketSession::cork(bool on) {
#ifdef TCP_CORK
    if (corked_ == on) return;
    corked_ = on;
    int v = on ? 1 : 0;
    auto& sock = beast::get_lowest_layer(ws_).socket();
    if (sock.is_open()) ::setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_CORK, &v, sizeof v);
#else
    (void)on;
#endif
}

void WebSocketSession::close_after_flush(std::uint16_t code, std::string reason) {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
        if (self->close_after_flush_ || self->closing_) return;
        self->close_after_flush_.emplace(static_cast<websocket::close_code>(code), std::move(reason));
        if (!self->writing_) self->close_with(self->close_after_flush_->first, self->close_after_flush_->second);
    });
}

void WebSocketSession::shutdown() { close_after_flush(static_cast<std::uint16_t>(websocket::close_code::going_away), "server stopping"); }

void WebSocketSession::close_with(websocket::close_code code, std::string reason) {
    if (closing_) return;
    if (writing_) {
        // A frame is on its way out and its buffer must live until it is written: drop the
        // rest and close from on_write.
        while (outbox_.size() > 1) outbox_.pop_back();
        close_after_flush_.emplace(code, std::move(reason));
        return;
    }
    closing_ = true;
    outbox_.clear();
    cork(false);
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeouts.handshake_timeout = std::chrono::seconds(1);  // bounds the close handshake
    ws_.set_option(timeouts);
    ws_.async_close(websocket::close_reason(code, reason), [self = shared_from_this()](error_code) { self->ended(); });
}

void WebSocketSession::ended() {
    if (ended_) return;
    ended_ = true;
    if (joined_) on_closed();
}

}  // namespace chat::server
