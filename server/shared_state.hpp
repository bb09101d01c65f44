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

namespace chat::server {

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

    // Registers a connection; false when the server is stopping or full (max_connections).
    bool join(const std::shared_ptr<Closable>& c);
    void leave(const Closable* c);
    std::size_t connections() const;

    // Asks every registered connection to close; new joins are refused from now on.
    void shutdown_all();
    bool stopping() const { return stopping_.load(); }

private:
    Config cfg_;
    std::string node_;
    std::filesystem::path web_root_;
    mutable std::mutex mu_;
    std::unordered_map<const Closable*, std::weak_ptr<Closable>> live_;
    std::atomic<bool> stopping_{false};
};

}  // namespace chat::server
