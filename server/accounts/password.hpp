// password.hpp — password hashing for agents' and managers' accounts (argon2id, libsodium).
//
// Hashes are libsodium's self-describing strings ("$argon2id$v=19$m=…,t=…,p=1$salt$hash"), so
// the cost an account was hashed with travels with it and can be raised later without
// invalidating older hashes. Hashing and verifying are slow on purpose (about 0.1 s and
// 64 MiB each with the default cost): callers keep them off network threads.
// Every function here is thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chat::accounts {

// Argon2id work factors. `interactive()` (t=2, 64 MiB) is what the server and `chatd user`
// use; `minimal()` exists so tests that only exercise storage can add hundreds of accounts.
struct PasswordCost {
    unsigned long long opslimit;
    std::size_t memlimit;

    static PasswordCost interactive();
    static PasswordCost minimal();
    bool operator==(const PasswordCost&) const = default;
};

// Hashes `password` with a fresh random salt. Throws std::runtime_error when libsodium fails
// (out of memory).
std::string hash_password(std::string_view password, const PasswordCost& cost);

// True when `password` matches `hash`; false for a wrong password or a malformed hash.
bool verify_password(std::string_view hash, std::string_view password);

// True when `hash` is an argon2id hash made with exactly `cost`.
bool hash_matches_cost(std::string_view hash, const PasswordCost& cost);

}  // namespace chat::accounts
