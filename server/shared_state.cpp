// shared_state.cpp — the registry of live connections and the shared settings.
#include "shared_state.hpp"

#include <vector>

namespace chat::server {

SharedState::SharedState(Config cfg, std::string node) : cfg_(std::move(cfg)), node_(std::move(node)) {
    std::error_code ec;
    web_root_ = std::filesystem::canonical(cfg_.web_root, ec);
    if (ec) web_root_ = cfg_.web_root;
}

SharedState::Join SharedState::join(const std::shared_ptr<Closable>& c, const std::string& address) {
    std::lock_guard lock(mu_);
    if (stopping_.load()) return Join::stopping;
    if (live_.size() >= cfg_.limits.max_connections) return Join::full;
    auto& n = per_address_[address];
    if (cfg_.limits.conns_per_address && n >= cfg_.limits.conns_per_address) {
        if (n == 0) per_address_.erase(address);
        return Join::address_full;
    }
    ++n;
    live_.emplace(c.get(), Live{c, address});
    return Join::ok;
}

void SharedState::leave(const Closable* c) {
    std::lock_guard lock(mu_);
    auto it = live_.find(c);
    if (it == live_.end()) return;
    if (auto a = per_address_.find(it->second.address); a != per_address_.end() && --a->second == 0) per_address_.erase(a);
    live_.erase(it);
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
        for (auto& [_, live] : live_)
            if (auto c = live.conn.lock()) all.push_back(std::move(c));
    }
    for (auto& c : all) c->shutdown();
}

}  // namespace chat::server
