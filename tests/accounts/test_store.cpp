// Tests of AccountStore (server/accounts/accounts.hpp): the account lifecycle, the rules,
// persistence in accounts.json, refresh() across instances and the password checks.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "accounts.hpp"
#include "temp_dir.hpp"

using namespace chat::accounts;

namespace {

Account make(std::string name, Role role = Role::agent) {
    Account a;
    a.name = std::move(name);
    a.role = role;
    a.created_ms = 1700000000000;
    return a;
}

const PasswordCost kFast = PasswordCost::minimal();

std::vector<std::string> names(const std::vector<Account>& accounts) {
    std::vector<std::string> out;
    for (const auto& a : accounts) out.push_back(a.name);
    return out;
}

}  // namespace

TEST_CASE("add, find, list and remove an account") {
    TempDir dir;
    AccountStore store(dir.path / "data", kFast);
    CHECK(store.list().empty());
    CHECK_FALSE(store.find("alice"));

    Account in = make("alice", Role::manager);
    in.langs = {"en"};
    in.capacity = 7;
    const Account stored = store.add(in, "correct horse");
    CHECK(stored.name == "alice");
    CHECK(stored.role == Role::manager);
    CHECK(stored.langs == std::vector<std::string>{"en"});
    CHECK(stored.capacity == 7);
    CHECK(stored.created_ms == 1700000000000);
    CHECK(stored.generation != 0);

    store.add(make("bob"), "password-b");
    const auto alice = store.find("alice");
    REQUIRE(alice);
    CHECK(*alice == stored);
    CHECK(names(store.list()) == std::vector<std::string>{"alice", "bob"});

    CHECK(store.remove("alice"));
    CHECK_FALSE(store.find("alice"));
    CHECK_FALSE(store.remove("alice"));
    CHECK(names(store.list()) == std::vector<std::string>{"bob"});
}

TEST_CASE("defaults: both languages and a capacity of 3") {
    TempDir dir;
    AccountStore store(dir.path, kFast);
    const Account a = store.add(make("carol"), "password-c");
    CHECK(a.langs == std::vector<std::string>{"fr", "en"});
    CHECK(a.capacity == 3);
    Account dup = make("dan");
    dup.langs = {"en", "fr", "en"};
    CHECK(store.add(dup, "password-d").langs == std::vector<std::string>{"en", "fr"});
}

TEST_CASE("accounts persist across store instances") {
    TempDir dir;
    Account added;
    {
        AccountStore store(dir.path, kFast);
        added = store.add(make("alice", Role::manager), "correct horse");
        store.add(make("bob"), "password-b");
        store.remove("bob");
    }
    AccountStore again(dir.path, kFast);
    CHECK(names(again.list()) == std::vector<std::string>{"alice"});
    REQUIRE(again.find("alice"));
    CHECK(*again.find("alice") == added);
    CHECK(again.verify("alice", "correct horse"));
}

TEST_CASE("refresh picks up another instance's change and names ended accounts") {
    TempDir dir;
    AccountStore server(dir.path, kFast);
    AccountStore cli(dir.path, kFast);
    CHECK_FALSE(server.refresh());

    cli.add(make("alice"), "password-a");
    cli.add(make("bob"), "password-b");
    CHECK_FALSE(server.find("alice"));  // not before refresh
    std::vector<std::string> ended;
    CHECK(server.refresh(&ended));
    CHECK(ended.empty());
    CHECK(server.find("alice"));
    CHECK(server.verify("bob", "password-b"));
    CHECK_FALSE(server.refresh());  // nothing new

    // Removed, and removed-then-re-added within one refresh period: both end.
    cli.remove("alice");
    cli.remove("bob");
    cli.add(make("bob"), "password-b2");
    CHECK(server.refresh(&ended));
    std::sort(ended.begin(), ended.end());
    CHECK(ended == std::vector<std::string>{"alice", "bob"});
    CHECK_FALSE(server.find("alice"));
    CHECK(server.verify("bob", "password-b2"));
    CHECK_FALSE(server.verify("bob", "password-b"));
}

TEST_CASE("a change made by one store is reported by its own refresh too") {
    TempDir dir;
    AccountStore store(dir.path, kFast);
    store.add(make("alice"), "password-a");
    std::vector<std::string> ended;
    CHECK(store.refresh(&ended));
    CHECK(ended.empty());
    store.remove("alice");
    CHECK(store.refresh(&ended));
    CHECK(ended == std::vector<std::string>{"alice"});
}

TEST_CASE("a writer starts from the file, not from its stale memory") {
    TempDir dir;
    AccountStore a(dir.path, kFast);
    AccountStore b(dir.path, kFast);
    a.add(make("alice"), "password-a");
    b.add(make("bob"), "password-b");  // b never refreshed, yet must keep alice
    AccountStore fresh(dir.path, kFast);
    CHECK(names(fresh.list()) == std::vector<std::string>{"alice", "bob"});
    CHECK_THROWS_AS(b.add(make("alice"), "password-x"), AccountError);
}

TEST_CASE("verify: right password, wrong password, unknown user") {
    TempDir dir;
    AccountStore store(dir.path, kFast);
    store.add(make("alice"), "correct horse");
    CHECK(store.verify("alice", "correct horse"));
    CHECK_FALSE(store.verify("alice", "correct horsE"));
    CHECK_FALSE(store.verify("alice", ""));
    CHECK_FALSE(store.verify("mallory", "correct horse"));
    CHECK_FALSE(store.verify("", "correct horse"));
}

TEST_CASE("set_password replaces the password and the generation") {
    TempDir dir;
    AccountStore store(dir.path, kFast);
    const Account before = store.add(make("alice"), "first password");
    CHECK(store.set_password("alice", "second password"));
    CHECK_FALSE(store.verify("alice", "first password"));
    CHECK(store.verify("alice", "second password"));
    CHECK(store.find("alice")->generation != before.generation);
    CHECK_FALSE(store.set_password("nobody", "second password"));
    CHECK_THROWS_AS(store.set_password("alice", "short"), AccountError);
}

TEST_CASE("invalid accounts are refused with the field at fault") {
    TempDir dir;
    AccountStore store(dir.path, kFast);
    auto field_of = [&](Account a, std::string password) -> std::string {
        try {
            store.add(std::move(a), password);
        } catch (const AccountError& e) {
            CHECK(e.kind == AccountError::Kind::invalid);
            return e.field;
        }
        return "accepted";
    };
    CHECK(field_of(make(""), "password-1") == "name");
    CHECK(field_of(make(std::string(65, 'a')), "password-1") == "name");
    CHECK(field_of(make("has space"), "password-1") == "name");
    CHECK(field_of(make("pipe|name"), "password-1") == "name");
    CHECK(field_of(make("émile"), "password-1") == "name");
    Account langs = make("alice");
    langs.langs = {"fr", "de"};
    CHECK(field_of(langs, "password-1") == "langs");
    Account zero = make("alice");
    zero.capacity = 0;
    CHECK(field_of(zero, "password-1") == "capacity");
    Account many = make("alice");
    many.capacity = 51;
    CHECK(field_of(many, "password-1") == "capacity");
    CHECK(field_of(make("alice"), "1234567") == "password");
    CHECK(field_of(make("alice"), std::string(1025, 'x')) == "password");
    CHECK(store.list().empty());

    // The limits themselves are allowed.
    Account edge = make(std::string(64, 'a') );
    edge.capacity = 50;
    CHECK(field_of(edge, "12345678") == "accepted");
    Account one = make("Agent.Smith_1@shop-a");
    one.capacity = 1;
    CHECK(field_of(one, "ééééééé!") == "accepted");  // 8 characters, 15 bytes
}

TEST_CASE("a taken name is refused, ignoring case") {
    TempDir dir;
    AccountStore store(dir.path, kFast);
    store.add(make("alice"), "password-a");
    for (const char* name : {"alice", "Alice"}) {
        try {
            store.add(make(name), "password-b");
            FAIL("accepted " << name);
        } catch (const AccountError& e) {
            CHECK(e.kind == AccountError::Kind::exists);
        }
    }
    CHECK(store.verify("alice", "password-a"));
    CHECK(store.list().size() == 1);
}

TEST_CASE("the stored hash is argon2id with the interactive cost, never the password") {
    TempDir dir;
    AccountStore store(dir.path);  // the production cost
    const Account a = store.add(make("alice"), "correct horse");
    CHECK(a.password_hash.rfind("$argon2id$", 0) == 0);
    CHECK(a.password_hash.find("m=65536,t=2,p=1") != std::string::npos);
    CHECK(hash_matches_cost(a.password_hash, PasswordCost::interactive()));

    std::ifstream in(store.file());
    const std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(file.find(a.password_hash) != std::string::npos);
    CHECK(file.find("correct horse") == std::string::npos);

    // Two accounts with one password get different salts.
    const Account b = store.add(make("bob"), "correct horse");
    CHECK(b.password_hash != a.password_hash);
}

TEST_CASE("accounts.json is written with mode 0600 and no temporary file is left") {
    TempDir dir;
    AccountStore store(dir.path, kFast);
    store.add(make("alice"), "password-a");
    struct stat st {};
    REQUIRE(::stat(store.file().c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    store.remove("alice");
    REQUIRE(::stat(store.file().c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path)) {
        const auto name = entry.path().filename().string();
        CHECK((name == "accounts.json" || name == "accounts.lock"));
    }
}

TEST_CASE("a damaged accounts.json is reported with its path, and refresh keeps the old accounts") {
    TempDir dir;
    AccountStore store(dir.path, kFast);
    store.add(make("alice"), "password-a");
    const std::string good = [&] {
        std::ifstream in(store.file());
        return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    }();
    { std::ofstream(store.file()) << "{\"format\":1,\"accounts\":[{\"name\":\"x\"}"; }
    try {
        AccountStore broken(dir.path, kFast);
        FAIL("a truncated file was accepted");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()).find(store.file().string()) != std::string::npos);
    }
    CHECK_THROWS_AS(store.refresh(), std::runtime_error);
    CHECK(store.verify("alice", "password-a"));

    // A well-formed file with an invalid account is refused too.
    std::string bad = good;
    bad.replace(bad.find("\"capacity\": 3"), 13, "\"capacity\": 99");
    { std::ofstream(store.file()) << bad; }
    CHECK_THROWS_WITH(AccountStore(dir.path, kFast), Catch::Contains("capacity"));
}

TEST_CASE("an unknown name costs about as much as a wrong password") {
    TempDir dir;
    AccountStore store(dir.path);  // the production cost, where the difference would show
    store.add(make("alice"), "correct horse");
    using clock = std::chrono::steady_clock;
    auto best_ms = [&](const char* name) {
        double best = 1e9;
        for (int i = 0; i < 3; ++i) {
            const auto t0 = clock::now();
            CHECK_FALSE(store.verify(name, "wrong password"));
            best = std::min(best, std::chrono::duration<double, std::milli>(clock::now() - t0).count());
        }
        return best;
    };
    const double known = best_ms("alice");
    const double unknown = best_ms("nobody");
    INFO("wrong password " << known << " ms, unknown user " << unknown << " ms");
    CHECK(known > 10);
    CHECK(unknown > known * 0.25);
}
