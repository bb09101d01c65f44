// visitor_session.hpp — one shopper's WebSocket (/ws/visitor).
//
// Owns the socket, not the conversation: it works out who the visitor is (a token from a
// previous visit, in the query or a `resume` frame, or a new visitor), checks each frame and
// hands it to the core. What the core sends back goes out through the bounded queue of
// WebSocketSession.
#pragma once

#include "websocket_session.hpp"

namespace chat::server {

class VisitorSession : public WebSocketSession {
public:
    using WebSocketSession::WebSocketSession;

protected:
    void on_open(const http::request<http::string_body>& req) override;
    void on_text(std::string_view text) override;
    void on_closed() override;

private:
    void hello(std::optional<std::uint64_t> last_seq);

    std::uint64_t id_ = 0;
    std::string visitor_, token_, lang_, page_;
};

}  // namespace chat::server
