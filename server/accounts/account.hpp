// account.hpp — what an agent's or manager's account is, and the rules its fields obey.
//
// The value type shared by the store (accounts.hpp), its file (account_file.hpp), session
// tokens (sessions.hpp) and `chatd user` (user_command.hpp). The rules live here once, so the
// command line, the file reader and the store reject the same things with the same words.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace chat::accounts {

enum class Role { agent, manager };

// "agent" / "manager", and back (nullopt for anything else).
std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view text);

struct Account {
    std::string name;
    Role role = Role::agent;
    std::vector<std::string> langs;  // languages the agent answers in; empty on input = all
    int capacity = 3;                // conversations handled at once
    std::string password_hash;       // argon2id string, never the password
    std::int64_t created_ms = 0;     // Unix time in milliseconds, set by the caller
    // Changes whenever the account is created again or its password changes; a session token
    // carries it, so tokens issued before the change stop being valid.
    std::uint64_t generation = 0;

    bool operator==(const Account&) const = default;
};

inline constexpr std::size_t kMaxNameChars = 64;
inline constexpr int kDefaultCapacity = 3;
inline constexpr int kMinCapacity = 1;
inline constexpr int kMaxCapacity = 50;
inline constexpr std::size_t kMinPasswordChars = 8;
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// The languages an account may list, in their default order: {"fr", "en"}.
const std::vector<std::string>& supported_langs();

// Thrown for an account that breaks a rule (`invalid`: `field` is "name", "role", "langs",
// "capacity" or "password") or that clashes with an existing one (`exists`: field "name").
// what() is "<field>: <detail>"; the command line swaps the field for the flag that set it.
struct AccountError : std::runtime_error {
    enum class Kind { invalid, exists };
    AccountError(Kind kind, std::string field, std::string detail);
    Kind kind;
    std::string field;
    std::string detail;
};

// 1 to 64 characters of [A-Za-z0-9._@-].
void validate_name(std::string_view name);
// At least 8 characters (UTF-8 code points), at most 1024 bytes.
void validate_password(std::string_view password);
// Checks name, langs and capacity, and normalises langs: empty becomes every supported
// language, duplicates are dropped, the given order is kept. Throws AccountError(invalid).
void validate_account(Account& account);

}  // namespace chat::accounts
