// sessions.hpp — agents' and managers' session tokens: issued at login, checked on every
// request and WebSocket, ended by logout, expiry, or a change to the account.
//
// Tokens are stateless and signed, so they survive a server restart without being stored:
//   "s1." base64url("NAME|ROLE|GENERATION|ISSUED_MS|EXPIRES_MS|NONCE") "." HMAC-SHA256 hex
// under the data directory's secret (identity.hpp, load_or_create_secret). Binding the
// account's generation means removing an account, re-creating it or changing its password
// ends every session it had. Logout puts the token's nonce in a revocation set held in memory
// until the token would have expired anyway (see docs/accounts.md for what that implies).
// Time is always passed in; nothing here reads a clock.
//
// Thread-safety: issue() and validate() may run on any thread at once; revoke() too (the
// revocation set has its own mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "accounts.hpp"

namespace chat::accounts {

inline constexpr std::int64_t kDefaultSessionTtlMs = 12LL * 3600 * 1000;
inline constexpr std::size_t kMaxTokenBytes = 512;

// Who a valid token speaks for.
struct SessionInfo {
    std::string name;
    Role role = Role::agent;
    std::int64_t expires_ms = 0;
};

class SessionTokens {
public:
    // `secret`: the data directory's key, load_or_create_secret(data) (32 bytes).
    explicit SessionTokens(std::string secret);

    // A new token for `account`, valid from now_ms until now_ms + ttl_ms (ttl_ms > 0, else
    // std::invalid_argument).
    std::string issue(const Account& account, std::int64_t now_ms, std::int64_t ttl_ms = kDefaultSessionTtlMs) const;

    // Whom the token speaks for, or nullopt when it is malformed, its MAC is wrong, it has
    // expired (now_ms >= expires), it was revoked, or its account no longer exists in `store`
    // with the same generation and role.
    std::optional<SessionInfo> validate(std::string_view token, std::int64_t now_ms, const AccountStore& store) const;

    // Logout: the token stops being valid in this process. Returns false (and remembers
    // nothing) for a token that is not genuine or has already expired. Also forgets
    // revocations whose tokens have expired, so the set stays as small as the live sessions.
    bool revoke(std::string_view token, std::int64_t now_ms);

    // How many revoked, not yet expired tokens are remembered.
    std::size_t revoked_count() const;

private:
    struct Claims {
        std::string name;
        Role role;
        std::uint64_t generation;
        std::int64_t issued_ms, expires_ms;
        std::string nonce;
    };
    // The claims of a well-formed token whose MAC is right, else nullopt. No other checks.
    std::optional<Claims> open(std::string_view token) const;

    std::string secret_;
    mutable std::mutex mu_;
    std::unordered_map<std::string, std::int64_t> revoked_;  // nonce -> expires_ms
};

}  // namespace chat::accounts
