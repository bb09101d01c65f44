// security_state.hpp — the security settings and registries every connection consults:
// the erased visitors, the login rate limiter and the trusted proxies. Built once at
// start-up from the config and the data directory; thread-safe; no Beast.
#pragma once

#include <filesystem>
#include <vector>

#include "client_address.hpp"
#include "config.hpp"
#include "erased_visitors.hpp"
#include "login_limiter.hpp"

namespace chat::server {

struct SecurityState {
    explicit SecurityState(const Config& cfg);

    privacy::ErasedVisitors erased;
    LoginLimiter login;
    std::vector<Cidr> trusted_proxies;
    RelayedPeers relayed;  // clients behind chatd's own TLS front
};

}  // namespace chat::server
