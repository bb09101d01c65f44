// shared_state.hpp — what every connection of one chatd process shares.
//
// The configuration, this node's id, the canonical web root, and the registry of live
// connections: the registry is how a clean shutdown reaches every socket (each connection
// flushes what it was writing, says goodbye, and closes) and how /metrics counts them.
// No Beast types here, so pure files can include it.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "config.hpp"

namespace boost::asio {
class thread_pool;
}
namespace chat::cluster {
class RedisClient;
}

namespace chat::server {

class Core;
class VisitorLoop;
struct Metrics;
class BotService;
class AuthService;
class CannedResponses;
struct SecurityState;

// A connection the server can ask to close at shutdown. shutdown() may be called from any
// thread; the connection posts the work to its own strand.
class Closable {
public:
    virtual ~Closable() = default;
    virtual void shutdown() = 0;
};

class SharedState {
public:
    SharedState(Config cfg, std::string node);

    const Config& config() const { return cfg_; }
    const std::string& node() const { return node_; }
    const std::filesystem::path& web_root() const { return web_root_; }
    // The data directory's secret (signs visitor tokens and agent sessions).
    const std::string& secret() const { return secret_; }
    void set_secret(std::string s) { secret_ = std::move(s); }

    // Set once at start-up, before the listener runs.
    Core& core() { return *core_; }
    std::shared_ptr<Core> core_ptr() { return core_; }
    void set_core(std::shared_ptr<Core> c) { core_ = std::move(c); }
    // The visitor thread's loop that carries visitors' sockets.
    VisitorLoop& visitor_loop() { return *visitor_loop_; }
    void set_visitor_loop(VisitorLoop* l) { visitor_loop_ = l; }
    Metrics& metrics() { return *metrics_; }
    void set_metrics(Metrics* m) { metrics_ = m; }
    BotService& bot() { return *bot_; }
    void set_bot(std::shared_ptr<BotService> b) { bot_ = std::move(b); }
    AuthService& auth() { return *auth_; }
    void set_auth(AuthService* a) { auth_ = a; }
    CannedResponses& canned() { return *canned_; }
    void set_canned(CannedResponses* c) { canned_ = c; }
    SecurityState& security() { return *security_; }
    void set_security(SecurityState* s) { security_ = s; }
    // For slow work (password hashing) that must not run on a network thread.
    boost::asio::thread_pool& blocking() { return *blocking_; }
    void set_blocking(boost::asio::thread_pool* p) { blocking_ = p; }
    // The link to Redis with --redis (reported on /healthz and /metrics), null without.
    cluster::RedisClient* redis() const { return redis_; }
    void set_redis(cluster::RedisClient* r) { redis_ = r; }

    enum class Join { ok, stopping, full, address_full };
    // Registers a connection from `address`: refused when the server is stopping, holds
    // max_connections already, or `address` holds conns_per_address.
    Join join(const std::shared_ptr<Closable>& c, const std::string& address);
    void leave(const Closable* c);
    std::size_t connections() const;

    // Asks every registered connection to close; new joins are refused from now on.
    void shutdown_all();
    bool stopping() const { return stopping_.load(); }

private:
    Config cfg_;
    std::string node_;
    std::filesystem::path web_root_;
    std::string secret_;
    std::shared_ptr<Core> core_;
    VisitorLoop* visitor_loop_ = nullptr;
    Metrics* metrics_ = nullptr;
    cluster::RedisClient* redis_ = nullptr;
    std::shared_ptr<BotService> bot_;
    AuthService* auth_ = nullptr;
    CannedResponses* canned_ = nullptr;
    SecurityState* security_ = nullptr;
    boost::asio::thread_pool* blocking_ = nullptr;
    mutable std::mutex mu_;
    struct Live {
        std::weak_ptr<Closable> conn;
        std::string address;
    };
    std::unordered_map<const Closable*, Live> live_;
    std::unordered_map<std::string, std::size_t> per_address_;
    std::atomic<bool> stopping_{false};
};

}  // namespace chat::server
