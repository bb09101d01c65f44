// websocket_session.cpp — accept, read loop, rate limit, bounded write queue, close.
#include "websocket_session.hpp"

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
    out().set_owner(weak_from_this());
    out().on_drained([this](error_code ec) { on_drained(ec); });
    ws_.auto_fragment(false);  // one frame per message, written whole into the buffer
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
    flush();
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
        flush();
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
    flush();  // this frame's errors, if any
    if (!closing_) do_read();
}

void WebSocketSession::send(std::vector<std::shared_ptr<const std::string>> frames) {
    net::post(ws_.get_executor(), [self = shared_from_this(), fs = std::move(frames)]() mutable {
        // Several frames at once (echo, ack, answer): one write, one segment, one wake-up of
        // the client.
        for (auto& f : fs) self->queue(*f);
        self->flush();
    });
}

void WebSocketSession::queue_error(std::string_view code, std::string_view message) { queue(error_frame(code, message)); }

void WebSocketSession::queue(std::string_view frame) {
    if (closing_ || close_after_flush_ || !ws_.is_open()) return;
    if (out().queued_writes() >= state_->config().limits.outgoing_queue_frames) {
        // The client does not read: drop it rather than buffer without bound. What is already
        // on its way is let go, then the close follows (flush()).
        state_->metrics().slow_consumers_dropped++;
        out().discard_unsent();
        close_after_flush_.emplace(websocket::close_code::policy_error, "too slow");
        return;
    }
    // Framed by Beast into the session's buffer: no I/O here.
    error_code ec;
    ws_.write(net::buffer(frame.data(), frame.size()), ec);
    // An error means the connection failed; the read loop ends the session.
}

void WebSocketSession::flush() {
    out().flush();
    if (close_after_flush_ && !closing_ && out().idle()) close_with(close_after_flush_->first, close_after_flush_->second);
}

void WebSocketSession::on_drained(error_code ec) {
    if (ec) {
        // The peer is gone or stuck: nothing more can be sent; the read loop ends too.
        error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
        return ended();
    }
    if (close_after_flush_ && !closing_) close_with(close_after_flush_->first, close_after_flush_->second);
}

void WebSocketSession::close_after_flush(std::uint16_t code, std::string reason) {
    net::post(ws_.get_executor(), [self = shared_from_this(), code, reason = std::move(reason)]() mutable {
        if (self->close_after_flush_ || self->closing_) return;
        self->close_after_flush_.emplace(static_cast<websocket::close_code>(code), std::move(reason));
        self->flush();
    });
}

void WebSocketSession::shutdown() { close_after_flush(static_cast<std::uint16_t>(websocket::close_code::going_away), "server stopping"); }

void WebSocketSession::close_with(websocket::close_code code, std::string reason) {
    if (closing_) return;
    if (out().sending()) {
        // A write is on its way: drop what waits behind it and close once it is written
        // (on_drained).
        out().discard_unsent();
        close_after_flush_.emplace(code, std::move(reason));
        return;
    }
    closing_ = true;
    out().discard_unsent();
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
