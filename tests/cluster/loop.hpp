// loop.hpp — running an io_context in a test until something has happened.
//
// The cluster tests drive the real Redis client on an io_context of their own; these helpers
// run it until a condition holds (or fail after a timeout), and turn one command into a
// blocking call for the checks that read Redis's state.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "redis_client.hpp"

namespace chat::test {

inline bool run_until(boost::asio::io_context& ioc, const std::function<bool()>& done,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > until) return false;
        ioc.restart();
        ioc.run_one_for(std::chrono::milliseconds(5));
    }
    return true;
}

struct CallResult {
    std::error_code ec;
    cluster::Reply reply;
};

// One command, waited for. Throws if no callback came within the timeout.
inline CallResult call(boost::asio::io_context& ioc, cluster::RedisClient& c, std::vector<std::string> argv) {
    std::optional<CallResult> r;
    c.command(std::move(argv), [&](std::error_code ec, cluster::Reply reply) { r = CallResult{ec, std::move(reply)}; });
    if (!run_until(ioc, [&] { return r.has_value(); })) throw std::runtime_error("no reply within 10 s");
    return *r;
}

inline bool wait_state(boost::asio::io_context& ioc, const cluster::RedisClient& c, cluster::LinkState s,
                       std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    return run_until(ioc, [&] { return c.state() == s; }, timeout);
}

inline cluster::ClientOptions options(unsigned short port, std::string name = "test") {
    cluster::ClientOptions o;
    o.url = cluster::RedisUrl::parse("redis://127.0.0.1:" + std::to_string(port));
    o.backoff_initial = std::chrono::milliseconds(20);
    o.backoff_max = std::chrono::milliseconds(200);
    o.name = std::move(name);
    return o;
}

// Stops a client and lets its io_context run until it has (callbacks of pending commands included).
template <class Client>
void stop_and_drain(boost::asio::io_context& ioc, Client& c) {
    c.stop();
    run_until(ioc, [&] { return c.state() == cluster::LinkState::stopped; }, std::chrono::seconds(2));
}

}  // namespace chat::test
