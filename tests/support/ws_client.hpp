// ws_client.hpp — a small WebSocket and HTTP client for integration tests.
//
// Blocking calls with timeouts, so a test reads top to bottom like a conversation. Beast is
// hidden behind a pointer: test files include this header without paying for Beast's.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace chat::test {

using namespace std::chrono_literals;

struct WsClosed : std::runtime_error {
    int code;  // WebSocket close code, 0 when the connection just ended
    WsClosed(int c, const std::string& what) : std::runtime_error(what), code(c) {}
};

class WsClient {
public:
    using Headers = std::vector<std::pair<std::string, std::string>>;
    // Connects and completes the upgrade; throws std::runtime_error when refused.
    // `source`: the local address to connect from (another 127.0.0.x, say), empty for any.
    WsClient(unsigned short port, const std::string& target = "/ws/visitor", const Headers& headers = {},
             const std::string& source = "");
    ~WsClient();
    WsClient(WsClient&&) noexcept;

    void send(const std::string& text);
    void send(const nlohmann::json& frame) { send(frame.dump()); }

    // The next text frame, or nullopt when none came within `timeout`. Throws WsClosed when
    // the server closed the connection.
    std::optional<std::string> recv(std::chrono::milliseconds timeout = 3s);
    // The next frame as JSON; throws on timeout.
    nlohmann::json next(std::chrono::milliseconds timeout = 3s);
    // Skips frames until one of type `type`; throws on timeout.
    nlohmann::json expect(const std::string& type, std::chrono::milliseconds timeout = 3s);

    void close();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

struct HttpReply {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-cased names
};

HttpReply http_request(unsigned short port, const std::string& method, const std::string& target,
                       const std::string& body = "", const WsClient::Headers& headers = {});

// The value of one series on GET /metrics (`series` as written there, labels included, e.g.
// `chat_connections{role="visitor"}`), or nothing when the server does not export it.
std::optional<long long> metric(unsigned short port, const std::string& series);

}  // namespace chat::test
