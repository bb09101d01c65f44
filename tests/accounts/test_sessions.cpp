// Tests of session tokens (server/accounts/sessions.hpp): issue and validate, forgery,
// expiry, accounts removed or re-created, logout, and survival across a restart.
#include <catch2/catch.hpp>

#include "identity.hpp"
#include "sessions.hpp"
#include "temp_dir.hpp"

using namespace chat::accounts;

namespace {

constexpr std::int64_t kNow = 1700000000000;
constexpr std::int64_t kHour = 3600 * 1000;

struct Fixture {
    TempDir dir;
    AccountStore store{dir.path, PasswordCost::minimal()};
    SessionTokens tokens{chat::server::load_or_create_secret(dir.path)};

    Account add(const std::string& name, Role role = Role::agent) {
        Account a;
        a.name = name;
        a.role = role;
        return store.add(a, "password-" + name);
    }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "an issued token validates to its account until it expires") {
    const Account alice = add("alice", Role::manager);
    const std::string token = tokens.issue(alice, kNow);
    CHECK(token.rfind("s1.", 0) == 0);
    CHECK(token.size() <= kMaxTokenBytes);
    // Safe in a cookie and a JSON string as is.
    CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
          std::string::npos);

    const auto who = tokens.validate(token, kNow + 1000, store);
    REQUIRE(who);
    CHECK(who->name == "alice");
    CHECK(who->role == Role::manager);
    CHECK(who->expires_ms == kNow + kDefaultSessionTtlMs);
    CHECK(kDefaultSessionTtlMs == 12 * kHour);

    CHECK(tokens.validate(token, kNow + 12 * kHour - 1, store));
    CHECK_FALSE(tokens.validate(token, kNow + 12 * kHour, store));
    CHECK_FALSE(tokens.validate(token, kNow + 13 * kHour, store));
}

TEST_CASE_METHOD(Fixture, "a custom lifetime is honoured and two tokens differ") {
    const Account bob = add("bob");
    const std::string a = tokens.issue(bob, kNow, 60 * 1000);
    const std::string b = tokens.issue(bob, kNow, 60 * 1000);
    CHECK(a != b);
    CHECK(tokens.validate(a, kNow + 59999, store));
    CHECK_FALSE(tokens.validate(a, kNow + 60000, store));
    CHECK_THROWS_AS(tokens.issue(bob, kNow, 0), std::invalid_argument);
}

TEST_CASE_METHOD(Fixture, "a tampered or foreign token is refused") {
    const Account bob = add("bob");
    add("alice", Role::manager);
    const std::string token = tokens.issue(bob, kNow);
    REQUIRE(tokens.validate(token, kNow, store));

    // Any single changed character breaks it.
    for (std::size_t i = 0; i < token.size(); ++i) {
        std::string t = token;
        t[i] = t[i] == 'A' ? 'B' : 'A';
        CHECK_FALSE(tokens.validate(t, kNow, store));
    }
    CHECK_FALSE(tokens.validate(token.substr(0, token.size() - 1), kNow, store));
    CHECK_FALSE(tokens.validate(token + "0", kNow, store));
    CHECK_FALSE(tokens.validate("", kNow, store));
    CHECK_FALSE(tokens.validate("s1..", kNow, store));
    CHECK_FALSE(tokens.validate(std::string(4096, 'a'), kNow, store));

    // Claims rewritten by someone without the secret: same MAC, other body.
    const auto last_dot = token.rfind('.');
    const std::string forged_body = "s1.YWxpY2V8bWFuYWdlcnwxfDB8OTk5OTk5OTk5OTk5OTk5fHg";  // "alice|manager|1|0|999999999999999|x"
    CHECK_FALSE(tokens.validate(forged_body + token.substr(last_dot), kNow, store));

    // The same account under another data directory's secret.
    TempDir other;
    SessionTokens elsewhere(chat::server::load_or_create_secret(other.path));
    CHECK_FALSE(elsewhere.validate(token, kNow, store));
    // And a visitor token signed with this very secret is not a session.
    const std::string visitor = chat::server::visitor_token(chat::server::load_or_create_secret(dir.path), "bob");
    CHECK_FALSE(tokens.validate(visitor, kNow, store));
}

TEST_CASE_METHOD(Fixture, "removing the account ends its tokens") {
    const Account bob = add("bob");
    const std::string token = tokens.issue(bob, kNow);
    REQUIRE(store.remove("bob"));
    CHECK_FALSE(tokens.validate(token, kNow, store));
}

TEST_CASE_METHOD(Fixture, "a re-created account does not accept the old account's tokens") {
    const std::string old_token = tokens.issue(add("bob"), kNow);
    REQUIRE(store.remove("bob"));
    const Account again = add("bob");
    CHECK_FALSE(tokens.validate(old_token, kNow, store));
    CHECK(tokens.validate(tokens.issue(again, kNow), kNow, store));
}

TEST_CASE_METHOD(Fixture, "a password change ends the account's tokens") {
    const std::string token = tokens.issue(add("bob"), kNow);
    REQUIRE(store.set_password("bob", "a new password"));
    CHECK_FALSE(tokens.validate(token, kNow, store));
}

TEST_CASE_METHOD(Fixture, "a removal by another process ends tokens once the store refreshes") {
    const std::string token = tokens.issue(add("bob"), kNow);
    AccountStore cli(dir.path, PasswordCost::minimal());
    REQUIRE(cli.remove("bob"));
    std::vector<std::string> ended;
    REQUIRE(store.refresh(&ended));
    CHECK(ended == std::vector<std::string>{"bob"});
    CHECK_FALSE(tokens.validate(token, kNow, store));
}

TEST_CASE_METHOD(Fixture, "logout revokes one token, not the account's others") {
    const Account bob = add("bob");
    const std::string laptop = tokens.issue(bob, kNow);
    const std::string phone = tokens.issue(bob, kNow);
    CHECK(tokens.revoke(laptop, kNow + 1000));
    CHECK_FALSE(tokens.validate(laptop, kNow + 2000, store));
    CHECK(tokens.validate(phone, kNow + 2000, store));
    CHECK(tokens.revoked_count() == 1);

    // Junk and expired tokens are not remembered.
    CHECK_FALSE(tokens.revoke("s1.junk.junk", kNow));
    CHECK_FALSE(tokens.revoke(tokens.issue(bob, kNow, 1000), kNow + 5000));
    CHECK(tokens.revoked_count() == 1);

    // A revocation is forgotten once its token has expired anyway.
    CHECK(tokens.revoke(phone, kNow + 3000));
    CHECK(tokens.revoked_count() == 2);
    const std::string later = tokens.issue(bob, kNow + 13 * kHour);
    CHECK(tokens.revoke(later, kNow + 13 * kHour));
    CHECK(tokens.revoked_count() == 1);
    CHECK_FALSE(tokens.validate(later, kNow + 13 * kHour + 1, store));
}

TEST_CASE_METHOD(Fixture, "tokens survive a restart: a new store and signer on the same data directory") {
    const std::string token = tokens.issue(add("bob", Role::manager), kNow);
    AccountStore store2(dir.path, PasswordCost::minimal());
    SessionTokens tokens2(chat::server::load_or_create_secret(dir.path));
    const auto who = tokens2.validate(token, kNow + kHour, store2);
    REQUIRE(who);
    CHECK(who->name == "bob");
    CHECK(who->role == Role::manager);
}
