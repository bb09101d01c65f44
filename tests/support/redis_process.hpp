// redis_process.hpp — starts a real redis-server for tests.
//
// Each RedisProcess runs its own redis-server on a free loopback port, with nothing saved
// (--save "" --appendonly no) in a directory of its own, and kills it when destroyed. A test
// can stop it (SIGKILL, as a crash) and start it again on the same port to see what the
// nodes do while Redis is gone and when it comes back.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>

namespace chat::test {

class RedisProcess {
public:
    // Starts redis-server and waits until it answers PING. Throws std::runtime_error with its
    // log when it does not start.
    RedisProcess();
    ~RedisProcess();
    RedisProcess(const RedisProcess&) = delete;
    RedisProcess& operator=(const RedisProcess&) = delete;

    unsigned short port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    bool running() const { return pid_ > 0; }

    // Kills it with `sig` and waits for it to exit.
    void stop(int sig = 9);
    // Starts it again on the same port (after stop()).
    void start();

    // redis-server's log so far.
    std::string log() const;

private:
    void launch();
    std::filesystem::path dir_;
    unsigned short port_ = 0;
    int pid_ = -1;
};

// Whether something on 127.0.0.1:port answers "PING" with "+PONG" within `timeout`.
bool redis_answers(unsigned short port, std::chrono::milliseconds timeout);

}  // namespace chat::test
