// chat_actors.cpp — shoppers and agents for integration tests.
#include "chat_actors.hpp"

#include <stdexcept>

namespace chat::test {

using nlohmann::json;

void add_user(const std::filesystem::path& data, const std::string& name, const std::string& role,
              const std::string& langs, int capacity, const std::string& password) {
    auto r = run_program({chatd_path(), "user", "add", name, "--role", role, "--langs", langs, "--capacity",
                          std::to_string(capacity), "--data", data.string()},
                         password + "\n");
    if (r.code != 0) throw std::runtime_error("chatd user add failed: " + r.out);
}

std::string login(unsigned short port, const std::string& user, const std::string& password) {
    auto r = http_request(port, "POST", "/api/login", json{{"user", user}, {"password", password}}.dump(),
                          {{"Content-Type", "application/json"}});
    if (r.status != 200) throw std::runtime_error("login failed: " + std::to_string(r.status) + " " + r.body);
    return json::parse(r.body)["token"];
}

Shopper::Shopper(unsigned short port, const std::string& query) : ws(port, "/ws/visitor" + query) {
    welcome = ws.expect("welcome");
}

json Shopper::say(const std::string& text) {
    const std::string cid = "m" + std::to_string(next_id++);
    ws.send(json{{"type", "message"}, {"text", text}, {"client_id", cid}});
    for (;;) {
        json f = ws.next(5s);
        if (f["type"] == "ack" && f["client_id"] == cid) return f;
        if (f["type"] == "error") throw std::runtime_error("error instead of ack: " + f.dump());
    }
}

AgentClient::AgentClient(unsigned short port, const std::string& name, bool go_online) : ws(port, "/ws/agent") {
    ws.send(json{{"type", "auth"}, {"token", login(port, name)}});
    hello = ws.expect("hello");
    if (go_online) {
        ws.send(json{{"type", "status"}, {"status", "online"}});
        ws.expect("status");
    }
}

json AgentClient::say(const std::string& conv, const std::string& text) {
    const std::string cid = "a" + std::to_string(next_id++);
    ws.send(json{{"type", "message"}, {"conv", conv}, {"text", text}, {"client_id", cid}});
    for (;;) {
        json f = ws.next(5s);
        if (f["type"] == "ack" && f["client_id"] == cid) return f;
        if (f["type"] == "error") throw std::runtime_error("error instead of ack: " + f.dump());
    }
}

}  // namespace chat::test
