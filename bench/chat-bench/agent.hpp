// agent.hpp — one simulated agent: logs in over HTTP (POST /api/login), authenticates its
// WebSocket with the `auth` frame, goes online, greets every conversation assigned to it,
// answers each visitor message and resolves the conversation after the second one. Measures
// visitor→agent delivery from the send time the visitor wrote into its message.
#pragma once

#include <map>
#include <string>

#include "connection.hpp"

namespace chat::bench {

// POST /api/login, blocking (done before the load starts). Returns the session token;
// throws std::runtime_error when refused.
std::string agent_login(const std::string& host, unsigned short port, const std::string& user, const std::string& password);

class Agent : public Connection {
public:
    Agent(net::io_context& ioc, Loop& loop, Run& run, std::string name, std::string token)
        : Connection(ioc, loop, run), name_(std::move(name)), token_(std::move(token)) {}
    void start();

private:
    void on_open() override;
    void on_frame(std::string_view text) override;
    void on_down(bool was_open) override;
    void say(std::string_view conv, const char* text);

    std::string name_, token_;
    std::map<std::string, int, std::less<>> turns_;  // visitor messages seen per assigned conversation
    std::uint64_t next_client_ = 1;
    std::unique_ptr<net::steady_timer> retry_;
};

}  // namespace chat::bench
