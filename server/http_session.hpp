// http_session.hpp — one HTTP/1.1 connection: reads requests, answers them, upgrades.
//
// The session owns the socket and the read/write loop only. What a request means is decided
// by http_routes; a WebSocket upgrade to /ws/visitor hands the socket to a visitor_session.
// Request headers must arrive within limits.header_timeout_s (slow-loris protection).
#pragma once

#include <memory>
#include <optional>

#include "net.hpp"
#include "shared_state.hpp"

namespace chat::server {

class HttpSession : public Closable, public std::enable_shared_from_this<HttpSession> {
public:
    HttpSession(tcp::socket&& socket, std::shared_ptr<SharedState> state);
    ~HttpSession() override;

    void run();
    void shutdown() override;

private:
    void do_read();
    void on_read(error_code ec, std::size_t bytes);
    void on_write(bool keep_alive, error_code ec, std::size_t bytes);
    void do_close();
    // Answers an upgrade that is refused (origin, handshake) with `status` and a JSON body, then closes.
    void refuse_upgrade(http::status status, unsigned version, std::string_view body, bool offer_version_13 = false);

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::shared_ptr<SharedState> state_;
    bool writing_ = false;
    bool stopping_ = false;
    bool joined_ = false;
    std::string peer_;  // the client's address
};

}  // namespace chat::server
