// auth_service.cpp — logins and sessions over the accounts library.
#include "auth_service.hpp"

#include <iostream>

#include "accounts.hpp"
#include "identity.hpp"
#include "sessions.hpp"

namespace chat::server {

struct AuthService::Impl {
    accounts::AccountStore store;
    accounts::SessionTokens tokens;
    Impl(const std::filesystem::path& data) : store(data), tokens(load_or_create_secret(data)) {}
};

AuthService::AuthService(const std::filesystem::path& data) : impl_(std::make_unique<Impl>(data)) {}
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
    } catch (const std::exception& e) {
        std::cerr << "chatd: accounts: " << e.what() << " (keeping the accounts loaded before)" << std::endl;
    }
    return ended;
}

}  // namespace chat::server
