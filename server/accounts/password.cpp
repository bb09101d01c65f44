// password.cpp — argon2id hashing and verification through libsodium's crypto_pwhash_str.
#include "password.hpp"

#include <sodium.h>

#include <stdexcept>

namespace chat::accounts {
namespace {

// sodium_init() must run once before any other call; it is safe to call from many threads.
void ensure_sodium() {
    static const int status = sodium_init();
    if (status < 0) throw std::runtime_error("libsodium: initialisation failed");
}

}  // namespace

PasswordCost PasswordCost::interactive() {
    return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::minimal() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }

std::string hash_password(std::string_view password, const PasswordCost& cost) {
    ensure_sodium();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, password.data(), password.size(), cost.opslimit, cost.memlimit,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("argon2id: cannot hash a password (out of memory?)");
    return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
    ensure_sodium();
    // libsodium wants a NUL-terminated hash string no longer than crypto_pwhash_STRBYTES.
    if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
    const std::string h(hash);
    return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool hash_matches_cost(std::string_view hash, const PasswordCost& cost) {
    ensure_sodium();
    if (hash.rfind("$argon2id$", 0) != 0 || hash.size() >= crypto_pwhash_STRBYTES) return false;
    const std::string h(hash);
    return crypto_pwhash_str_needs_rehash(h.c_str(), cost.opslimit, cost.memlimit) == 0;
}

}  // namespace chat::accounts
