// shared_state.cpp — the registry of live connections and the shared settings.
#include "shared_state.hpp"

#include <vector>

namespace chat::server {

SharedState::SharedState(Config cfg, std::string node) : cfg_(std::move(cfg)), node_(std::move(node)) {
    std::error_code ec;
    web_root_ = std::filesystem::canonical(cfg_.web_root, ec);
    if (ec) web_root_ = cfg_.web_root;
}

bool SharedState::join(const std::shared_ptr<Closable>& c) {
    std::lock_guard lock(mu_);
    if (stopping_.load() || live_.size() >= cfg_.limits.max_connections) return false;
    live_.emplace(c.get(), c);
    return true;
}

void SharedState::leave(const Closable* c) {
    std::lock_guard lock(mu_);
    live_.erase(c);
}

std::size_t SharedState::connections() const {
    std::lock_guard lock(mu_);
    return live_.size();
}

void SharedState::shutdown_all() {
    std::vector<std::shared_ptr<Closable>> all;
    {
        std::lock_guard lock(mu_);
        stopping_.store(true);
        all.reserve(live_.size());
        for (auto& [_, weak] : live_)
            if (auto c = weak.lock()) all.push_back(std::move(c));
    }
    for (auto& c : all) c->shutdown();
}

}  // namespace chat::server
