// security_support.hpp — helpers shared by the security tests: a chatd with a config and
// users, raw sockets for slow clients, and reading the event log back.
#pragma once

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <thread>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "chat_actors.hpp"

namespace chat::test {

struct SecureShop {
    TempDir dir;
    std::optional<ChatdProcess> chatd;
    // `config`: the JSON config file's text ("" for none); `users`: {name, role}.
    explicit SecureShop(const std::string& config = "", std::vector<std::pair<std::string, std::string>> users = {},
                        std::vector<std::string> args = {});
    unsigned short port() const { return chatd->port(); }
    std::filesystem::path data() const { return dir.path() / "data"; }
    void start(std::vector<std::string> args = {});
    void stop();
    // `chatd ARGS... --data DATA`.
    RunResult cli(std::vector<std::string> args) const;
    // Every event of every segment, in file order.
    std::vector<nlohmann::json> events() const;
    // Every byte of every file under the data directory.
    std::string all_bytes() const;
};

// A raw TCP connection to 127.0.0.1:port (for slow and malformed clients). -1 on failure.
int raw_connect(unsigned short port);
// Waits up to `limit` for the server to close `fd`; returns how long it took, or nullopt.
std::optional<std::chrono::milliseconds> wait_closed(int fd, std::chrono::milliseconds limit);

// Polls `done` every 50 ms until it holds or `limit` passes; returns its last answer. For what
// the server does after answering (audits appended, retention passes): a loaded machine may take
// longer than any fixed pause.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (!done()) {
        if (std::chrono::steady_clock::now() >= until) return done();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

}  // namespace chat::test
