// login_limiter.cpp — token buckets for login attempts.
#include "login_limiter.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace chat::server {

LoginLimiter::LoginLimiter(double burst, double per_min) : burst_(burst), per_ms_(per_min / 60000.0) {}

double LoginLimiter::take(std::unordered_map<std::string, Bucket>& map, const std::string& key, double burst,
                          double per_ms, std::int64_t now_ms, bool& ok) {
    auto [it, fresh] = map.try_emplace(key, Bucket{burst, now_ms});
    Bucket& b = it->second;
    if (!fresh) b.tokens = std::min(burst, b.tokens + static_cast<double>(now_ms - b.at_ms) * per_ms);
    b.at_ms = now_ms;
    if (b.tokens >= 1) return 0;
    ok = false;
    return (1 - b.tokens) / per_ms / 1000.0;  // seconds until one token is back
}

int LoginLimiter::attempt(const std::string& account, const std::string& address, std::int64_t now_ms) {
    std::string name = account.substr(0, 128);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::lock_guard lock(mu_);
    forget_idle(now_ms);
    bool ok = true;
    const double wait_a = take(accounts_, name, burst_, per_ms_, now_ms, ok);
    const double wait_b = take(addresses_, address, burst_ * 4, per_ms_ * 4, now_ms, ok);
    if (!ok) return std::max(1, static_cast<int>(std::ceil(std::max(wait_a, wait_b))));
    accounts_[name].tokens -= 1;
    addresses_[address].tokens -= 1;
    return 0;
}

void LoginLimiter::succeeded(const std::string& account) {
    std::string name = account.substr(0, 128);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::lock_guard lock(mu_);
    accounts_.erase(name);
}

void LoginLimiter::forget_idle(std::int64_t now_ms) {
    if (now_ms - last_sweep_ms_ < 60000) return;
    last_sweep_ms_ = now_ms;
    // A bucket full again holds nothing worth remembering.
    auto sweep = [&](auto& map, double burst, double per_ms) {
        for (auto it = map.begin(); it != map.end();)
            it = it->second.tokens + static_cast<double>(now_ms - it->second.at_ms) * per_ms >= burst ? map.erase(it) : std::next(it);
    };
    sweep(accounts_, burst_, per_ms_);
    sweep(addresses_, burst_ * 4, per_ms_ * 4);
}

}  // namespace chat::server
