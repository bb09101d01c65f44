// auth_service.hpp — who is calling: agents' and managers' logins and sessions.
//
// The server's view of the accounts library (server/accounts): a login checks the password
// (argon2id: slow on purpose, so it runs on the blocking pool, never on a network thread) and
// issues a signed session token, carried by an HttpOnly cookie or an `auth` frame. check()
// is cheap and thread-safe. refresh() notices accounts changed by `chatd user` while the
// server runs and names the removed ones, whose live sessions the server then ends.
// With a Redis URL the accounts are those in Redis (shared by every node; accounts.json is
// not read): refresh() then asks Redis, so call it from the blocking pool, never from a
// network thread. While Redis is down the accounts loaded before stay in force.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace chat::server {

struct Principal {
    std::string name;
    bool manager = false;
    std::vector<std::string> langs;
    int capacity = 3;
    std::int64_t expires_ms = 0;
};

class AuthService {
public:
    // `redis`: empty for accounts.json in `data`; else the --redis URL.
    explicit AuthService(const std::filesystem::path& data, const std::string& redis = {});
    ~AuthService();

    // Slow: verifies the password. Returns the session token and fills `who`.
    std::optional<std::string> login(const std::string& name, const std::string& password, std::int64_t now_ms,
                                     Principal& who);
    std::optional<Principal> check(const std::string& token, std::int64_t now_ms);
    void logout(const std::string& token, std::int64_t now_ms);
    // Accounts removed since the previous call (also those re-created with a new generation).
    std::vector<std::string> refresh();

    static constexpr const char* kCookie = "chat_session";

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace chat::server
