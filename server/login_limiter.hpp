// login_limiter.hpp — how many login attempts an account and an address may make.
//
// Two token buckets per key: one per account name (lower-cased), one per client address
// (trusted proxies resolved). An attempt takes a token from both; a successful login refills
// its account's bucket, so only guessing is slowed down. A refused attempt is answered 429
// with Retry-After before any password is hashed, which also bounds the CPU an attacker can
// make argon2id burn. Pure: the caller passes the time; entries idle for long are forgotten.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace chat::server {

class LoginLimiter {
public:
    // `burst` attempts per account at once, then `per_min` a minute; an address gets four
    // times both (several people behind one NAT).
    LoginLimiter(double burst, double per_min);

    // 0 when the attempt may go ahead (a token is taken), else seconds to wait.
    int attempt(const std::string& account, const std::string& address, std::int64_t now_ms);
    void succeeded(const std::string& account);

private:
    struct Bucket {
        double tokens;
        std::int64_t at_ms;
    };
    double take(std::unordered_map<std::string, Bucket>& map, const std::string& key, double burst, double per_ms,
                std::int64_t now_ms, bool& ok);
    void forget_idle(std::int64_t now_ms);

    double burst_, per_ms_;
    std::mutex mu_;
    std::unordered_map<std::string, Bucket> accounts_, addresses_;
    std::int64_t last_sweep_ms_ = 0;
};

}  // namespace chat::server
