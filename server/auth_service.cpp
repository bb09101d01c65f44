// auth_service.cpp — logins and sessions over the accounts library.
#include "auth_service.hpp"

#include <iostream>

#include "accounts.hpp"
#include "identity.hpp"
#include "redis_accounts.hpp"
#include "sessions.hpp"

namespace chat::server {

namespace {
std::unique_ptr<accounts::AccountStore> open_store(const std::filesystem::path& data, const std::string& redis) {
    if (redis.empty()) return std::make_unique<accounts::AccountStore>(data);
    return std::make_unique<accounts::AccountStore>(std::make_unique<accounts::RedisAccounts>(redis));
}
}  // namespace

struct AuthService::Impl {
    std::unique_ptr<accounts::AccountStore> owned;
    accounts::AccountStore& store;
    accounts::SessionTokens tokens;
    std::string last_error;  // logged once until the next success
    Impl(const std::filesystem::path& data, const std::string& redis)
        : owned(open_store(data, redis)), store(*owned), tokens(load_or_create_secret(data)) {}
};

AuthService::AuthService(const std::filesystem::path& data, const std::string& redis)
    : impl_(std::make_unique<Impl>(data, redis)) {
    if (!redis.empty()) refresh();  // a Redis down at start: no accounts until it answers
}
AuthService::~AuthService() = default;

namespace {
Principal principal_of(const accounts::Account& a, std::int64_t expires_ms) {
    Principal p;
    p.name = a.name;
    p.manager = a.role == accounts::Role::manager;
    p.langs = a.langs;
    p.capacity = a.capacity;
    p.expires_ms = expires_ms;
    return p;
}
}  // namespace

std::optional<std::string> AuthService::login(const std::string& name, const std::string& password, std::int64_t now_ms,
                                              Principal& who) {
    if (password.size() > accounts::kMaxPasswordBytes || name.size() > accounts::kMaxNameChars) return std::nullopt;
    if (!impl_->store.verify(name, password)) return std::nullopt;
    auto account = impl_->store.find(name);
    if (!account) return std::nullopt;
    std::string token = impl_->tokens.issue(*account, now_ms);
    who = principal_of(*account, now_ms + accounts::kDefaultSessionTtlMs);
    return token;
}

std::optional<Principal> AuthService::check(const std::string& token, std::int64_t now_ms) {
    auto info = impl_->tokens.validate(token, now_ms, impl_->store);
    if (!info) return std::nullopt;
    auto account = impl_->store.find(info->name);
    if (!account) return std::nullopt;
    return principal_of(*account, info->expires_ms);
}

void AuthService::logout(const std::string& token, std::int64_t now_ms) { impl_->tokens.revoke(token, now_ms); }

std::vector<std::string> AuthService::refresh() {
    std::vector<std::string> ended;
    try {
        impl_->store.refresh(&ended);
        impl_->last_error.clear();
    } catch (const std::exception& e) {
        if (impl_->last_error != e.what())
            std::cerr << "chatd: accounts: " << e.what() << " (keeping the accounts loaded before)" << std::endl;
        impl_->last_error = e.what();
    }
    return ended;
}

}  // namespace chat::server
