// Tests that writers in separate processes (the server and `chatd user` commands) never lose
// each other's changes: two forked children add accounts as fast as they can at once. And that
// one store serves password checks on a worker thread while its owner changes and refreshes it.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "accounts.hpp"
#include "temp_dir.hpp"

using namespace chat::accounts;

namespace {

// In the child: waits for the go byte, adds `count` accounts named "<prefix>-<i>", exits 0 when
// every add succeeded. Never returns.
[[noreturn]] void child_adds(const std::filesystem::path& data, int go_fd, const std::string& prefix, int count) {
    int status = 0;
    try {
        char go;
        if (::read(go_fd, &go, 1) != 1) ::_exit(3);
        AccountStore store(data, PasswordCost::minimal());
        for (int i = 0; i < count; ++i) {
            Account a;
            a.name = prefix + "-" + std::to_string(i);
            store.add(a, "password-" + a.name);
        }
    } catch (...) {
        status = 1;
    }
    ::_exit(status);
}

}  // namespace

TEST_CASE("concurrent adds from two processes all land") {
    TempDir dir;
    constexpr int kEach = 60;
    int go[2];
    REQUIRE(::pipe(go) == 0);
    std::vector<pid_t> children;
    for (const char* prefix : {"north", "south"}) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            ::close(go[1]);
            child_adds(dir.path, go[0], prefix, kEach);
        }
        children.push_back(pid);
    }
    ::close(go[0]);
    REQUIRE(::write(go[1], "gg", 2) == 2);  // release both at once
    ::close(go[1]);
    for (pid_t pid : children) {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }

    AccountStore store(dir.path, PasswordCost::minimal());
    const auto accounts = store.list();
    CHECK(accounts.size() == 2 * kEach);
    for (const char* prefix : {"north", "south"})
        for (int i = 0; i < kEach; ++i) CHECK(store.find(std::string(prefix) + "-" + std::to_string(i)));
    CHECK(store.verify("south-7", "password-south-7"));
}

TEST_CASE("verify on a worker thread while the store is changed and refreshed") {
    TempDir dir;
    AccountStore store(dir.path, PasswordCost::minimal());
    AccountStore cli(dir.path, PasswordCost::minimal());
    Account alice;
    alice.name = "alice";
    store.add(alice, "password-a");
    std::atomic<bool> stop{false};
    std::atomic<int> checks{0}, wrong{0};
    std::thread worker([&] {
        while (!stop) {
            if (!store.verify("alice", "password-a")) ++wrong;
            if (store.verify("alice", "password-b")) ++wrong;
            ++checks;
        }
    });
    for (int i = 0; i < 40; ++i) {
        Account a;
        a.name = "agent-" + std::to_string(i);
        (i % 2 ? store : cli).add(a, "password-x");
        store.refresh();
        if (i % 3 == 0) cli.remove(a.name);
    }
    stop = true;
    worker.join();
    CHECK(checks > 0);
    CHECK(wrong == 0);
    store.refresh();
    CHECK(store.list().size() == 1 + 40 - 14);
}
