// account.cpp — the rules of account.hpp: names, roles, languages, capacity, passwords.
#include "account.hpp"

#include <algorithm>

namespace chat::accounts {

std::string_view role_name(Role role) { return role == Role::manager ? "manager" : "agent"; }

std::optional<Role> parse_role(std::string_view text) {
    if (text == "agent") return Role::agent;
    if (text == "manager") return Role::manager;
    return std::nullopt;
}

const std::vector<std::string>& supported_langs() {
    static const std::vector<std::string> langs = {"fr", "en"};
    return langs;
}

AccountError::AccountError(Kind kind_, std::string field_, std::string detail_)
    : std::runtime_error(field_ + ": " + detail_), kind(kind_), field(std::move(field_)), detail(std::move(detail_)) {}

void validate_name(std::string_view name) {
    static constexpr std::string_view allowed =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-";
    if (name.empty() || name.size() > kMaxNameChars || name.find_first_not_of(allowed) != std::string_view::npos)
        throw AccountError(AccountError::Kind::invalid, "name",
                           "use 1 to 64 letters, digits, '.', '_', '@' or '-', got '" + std::string(name.substr(0, 80)) +
                               "'");
}

void validate_password(std::string_view password) {
    // Count code points, not bytes: "été-été!" is 8 characters to the person typing it.
    std::size_t chars = 0;
    for (unsigned char c : password) chars += (c & 0xC0) != 0x80;
    if (chars < kMinPasswordChars)
        throw AccountError(AccountError::Kind::invalid, "password",
                           "use at least " + std::to_string(kMinPasswordChars) + " characters, got " +
                               std::to_string(chars));
    if (password.size() > kMaxPasswordBytes)
        throw AccountError(AccountError::Kind::invalid, "password",
                           "use at most " + std::to_string(kMaxPasswordBytes) + " bytes");
}

void validate_account(Account& account) {
    validate_name(account.name);
    if (account.role != Role::agent && account.role != Role::manager)
        throw AccountError(AccountError::Kind::invalid, "role", "expected agent or manager");
    std::vector<std::string> langs;
    for (const auto& lang : account.langs) {
        const auto& ok = supported_langs();
        if (std::find(ok.begin(), ok.end(), lang) == ok.end())
            throw AccountError(AccountError::Kind::invalid, "langs",
                               "expected a comma-separated subset of fr,en, got '" + lang.substr(0, 80) + "'");
        if (std::find(langs.begin(), langs.end(), lang) == langs.end()) langs.push_back(lang);
    }
    account.langs = langs.empty() ? supported_langs() : std::move(langs);
    if (account.capacity < kMinCapacity || account.capacity > kMaxCapacity)
        throw AccountError(AccountError::Kind::invalid, "capacity",
                           "expected a whole number from " + std::to_string(kMinCapacity) + " to " +
                               std::to_string(kMaxCapacity) + ", got " + std::to_string(account.capacity));
}

}  // namespace chat::accounts
