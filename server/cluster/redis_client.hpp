// redis_client.hpp — talking to Redis from a node without ever blocking a network thread.
//
// RedisClient sends commands; RedisSubscriber holds a second connection in pub/sub mode (a
// connection that subscribed can send nothing else, so the two are never shared). Both run
// on a strand of the node's io_context through the Asio adapter for hiredis, and both keep
// themselves connected: after a failure they try again after a delay that doubles from
// `backoff_initial` up to `backoff_max`, each delay drawn at random between its half and its
// whole (jitter, so that N nodes do not all knock at once when Redis comes back).
//
// The contract callers rely on:
// - command() may be called from any thread; its callback runs exactly once, on the client's
//   strand: with Redis's reply (an error reply is a Reply of type error), or with a RedisErrc
//   when no reply will come (not_connected: refused at once while the link is not up;
//   connection_lost: the link broke with the command pending, so it may or may not have run;
//   stopped). Nothing is queued while the link is down: the caller decides what to do.
// - state() is readable from any thread; on_state callbacks run on the strand.
// - A subscriber resubscribes to its channels after each reconnection. Messages published
//   while it was disconnected are lost (pub/sub keeps nothing): whoever depends on them must
//   catch up from a durable source when the state goes back to `up`.
// - stop() ends the link (pending callbacks get `stopped`); the io_context must still run for
//   that to happen. Destroying the object stops it.
//
// Asio stays out of this header: the io_context is only forward-declared.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "redis_reply.hpp"
#include "redis_url.hpp"

namespace boost::asio {
class io_context;
}

namespace chat::cluster {

enum class LinkState { connecting, up, down, stopped };
const char* link_state_name(LinkState s);

struct ClientOptions {
    RedisUrl url;
    std::chrono::milliseconds backoff_initial{100};
    std::chrono::milliseconds backoff_max{5000};
    std::string name;  // CLIENT SETNAME, shown by CLIENT LIST (empty: none)
};

using ReplyCallback = std::function<void(std::error_code, Reply)>;
using StateCallback = std::function<void(LinkState)>;

class Connection;

// What a link has been through, for /metrics and tests.
struct LinkStats {
    LinkState state = LinkState::connecting;
    std::uint64_t connects = 0;         // handshakes completed (the first one included)
    std::uint64_t failed_attempts = 0;  // connection attempts that failed
    std::string last_error;             // the latest failure, empty if none
};

class RedisClient {
public:
    RedisClient(boost::asio::io_context& ioc, ClientOptions opts);
    ~RedisClient();
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;

    // Set before start(); runs on the strand at every change.
    void on_state(StateCallback cb);
    void start();
    void stop();

    void command(std::vector<std::string> argv, ReplyCallback done);

    LinkState state() const;
    LinkStats stats() const;

private:
    std::shared_ptr<Connection> conn_;
};

class RedisSubscriber {
public:
    using MessageCallback = std::function<void(const std::string& channel, const std::string& payload)>;
    // `on_message` runs on the strand for every message on a subscribed channel.
    RedisSubscriber(boost::asio::io_context& ioc, ClientOptions opts, MessageCallback on_message);
    ~RedisSubscriber();
    RedisSubscriber(const RedisSubscriber&) = delete;
    RedisSubscriber& operator=(const RedisSubscriber&) = delete;

    void on_state(StateCallback cb);
    void start();
    void stop();

    // Kept across reconnections. `confirmed` (optional) runs once Redis has confirmed this
    // subscription on the current connection, or with not_connected/connection_lost/stopped.
    void subscribe(std::string channel, std::function<void(std::error_code)> confirmed = {});
    void unsubscribe(std::string channel);

    LinkState state() const;
    LinkStats stats() const;

private:
    std::shared_ptr<Connection> conn_;
};

}  // namespace chat::cluster
