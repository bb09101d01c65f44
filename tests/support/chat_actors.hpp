// chat_actors.hpp — the people of an integration test: a shopper and an agent, each on their
// own WebSocket to the real chatd, with the steps a test needs (say, expect, log in…).
#pragma once

#include <string>

#include "chatd_process.hpp"
#include "ws_client.hpp"

namespace chat::test {

// `chatd user add NAME --role ROLE --langs L --capacity N --data DIR` with PASSWORD on stdin.
void add_user(const std::filesystem::path& data, const std::string& name, const std::string& role,
              const std::string& langs = "fr,en", int capacity = 3, const std::string& password = "correct horse 42");

// POST /api/login; returns the session token (throws on failure).
std::string login(unsigned short port, const std::string& user, const std::string& password = "correct horse 42");

struct Shopper {
    WsClient ws;
    nlohmann::json welcome;
    int next_id = 1;
    explicit Shopper(unsigned short port, const std::string& query = "?lang=en");
    // Sends a message and waits for its ack; returns the ack.
    nlohmann::json say(const std::string& text);
    std::string token() const { return welcome["token"]; }
};

struct AgentClient {
    WsClient ws;
    nlohmann::json hello;
    int next_id = 1;
    // Logs in over HTTP, opens /ws/agent with the `auth` frame, optionally goes online.
    AgentClient(unsigned short port, const std::string& name, bool go_online = true);
    nlohmann::json say(const std::string& conv, const std::string& text);
};

}  // namespace chat::test
