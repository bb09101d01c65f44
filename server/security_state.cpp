// security_state.cpp — building the security registries from the config.
#include "security_state.hpp"

namespace chat::server {

SecurityState::SecurityState(const Config& cfg)
    : erased(cfg.data), login(cfg.limits.login_burst, cfg.limits.login_per_min) {
    for (const auto& p : cfg.trusted_proxies)
        if (auto c = parse_cidr(p)) trusted_proxies.push_back(*c);
}

}  // namespace chat::server
