// visitor_session.hpp — one shopper's WebSocket (/ws/visitor).
//
// Owns the socket and nothing of the conversation: it reads a frame, checks it (size, JSON,
// type), hands it on, and writes what it is given through a bounded outgoing queue. A client
// that lets the queue fill is dropped with close code 1008 instead of growing memory; at
// shutdown the queue is flushed before the close frame (1001, going away).
#pragma once

#include <deque>
#include <memory>
#include <string>

#include "net.hpp"
#include "shared_state.hpp"

namespace chat::server {

class VisitorSession : public Closable, public std::enable_shared_from_this<VisitorSession> {
public:
    VisitorSession(tcp::socket&& socket, std::shared_ptr<SharedState> state);
    ~VisitorSession() override;

    void run(http::request<http::string_body> req);

    // Queues one text frame; callable from any thread.
    void send(std::shared_ptr<const std::string> frame);
    void shutdown() override;

private:
    void on_accept(error_code ec);
    void do_read();
    void on_read(error_code ec, std::size_t bytes);
    void on_frame(std::string_view text);
    void queue(std::shared_ptr<const std::string> frame);
    void do_write();
    void on_write(error_code ec, std::size_t bytes);
    void close_with(websocket::close_code code);

    websocket::stream<beast::tcp_stream> ws_;
    beast::flat_buffer buffer_;
    std::shared_ptr<SharedState> state_;
    std::deque<std::shared_ptr<const std::string>> outbox_;
    bool writing_ = false;
    bool closing_ = false;
    bool joined_ = false;
    std::optional<websocket::close_code> close_after_flush_;
    std::string visitor_, token_, lang_, page_;
};

}  // namespace chat::server
