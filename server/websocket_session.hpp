// websocket_session.hpp — what every WebSocket connection shares, visitor's or agent's.
//
// The accept with its timeouts, the read loop with the frame size limit and a per-connection
// token bucket (msgs_per_s, burst), and a bounded outgoing queue: a client that lets it fill
// is dropped with close code 1008 rather than allowed to grow the server's memory. At
// shutdown the queue is flushed before the close frame (1001, going away). Subclasses see
// only text frames (on_text) and the end of the connection (on_closed).
//
// Outgoing frames are framed by Beast into the connection's BatchingStream (no write of its
// own each) and leave with one write per turn: the frames the core hands over together (echo,
// ack, answer), or the errors of one incoming frame.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "batching_stream.hpp"
#include "net.hpp"
#include "shared_state.hpp"

namespace chat::server {

// Where the core sends frames; implemented by every WebSocket session.
class FrameSink {
public:
    virtual ~FrameSink() = default;
    // Queues text frames, in order; callable from any thread (one post for all of them).
    virtual void send(std::vector<std::shared_ptr<const std::string>> frames) = 0;
    // Closes the connection with `code` after the frames already queued; any thread.
    virtual void close_after_flush(std::uint16_t code, std::string reason) = 0;
};

class WebSocketSession : public Closable, public FrameSink, public std::enable_shared_from_this<WebSocketSession> {
public:
    WebSocketSession(tcp::socket&& socket, std::shared_ptr<SharedState> state);
    ~WebSocketSession() override;

    // Completes the upgrade with `req`, then calls on_open().
    void run(http::request<http::string_body> req);

    void send(std::vector<std::shared_ptr<const std::string>> frames) override;
    void close_after_flush(std::uint16_t code, std::string reason) override;
    void shutdown() override;

protected:
    virtual void on_open(const http::request<http::string_body>& req) = 0;
    virtual void on_text(std::string_view text) = 0;
    virtual void on_closed() = 0;

    // Queues a frame from the session's own strand; it leaves with the next flush().
    void queue(std::string_view frame);
    void queue_error(std::string_view code, std::string_view message);
    SharedState& state() { return *state_; }
    const std::shared_ptr<SharedState>& state_ptr() const { return state_; }
    net::any_io_executor executor() { return ws_.get_executor(); }
    // The client's address (trusted proxies resolved).
    const std::string& peer() const { return peer_; }

private:
    void on_accept(error_code ec);
    void do_read();
    void on_read(error_code ec, std::size_t bytes);
    bool take_token();
    // Sends what queue() buffered, and closes if a close is due once it is written.
    void flush();
    void on_drained(error_code ec);
    void close_with(websocket::close_code code, std::string reason = {});
    void ended();

    using Out = BatchingStream<beast::tcp_stream>;
    Out& out() { return ws_.next_layer(); }

    websocket::stream<Out> ws_;
    beast::flat_buffer buffer_;
    std::shared_ptr<SharedState> state_;
    http::request<http::string_body> req_;
    std::string peer_;
    bool closing_ = false;
    bool joined_ = false;
    bool ended_ = false;
    std::optional<std::pair<websocket::close_code, std::string>> close_after_flush_;
    // Token bucket for incoming frames.
    double tokens_ = 0;
    std::chrono::steady_clock::time_point refilled_;
    int refused_in_row_ = 0;
};

}  // namespace chat::server
