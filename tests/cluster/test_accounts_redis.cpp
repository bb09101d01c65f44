// test_accounts_redis.cpp — accounts kept in Redis (`chatd user … --redis`), against a real
// redis-server and real chatd nodes: an account added once logs in on every node; removed,
// its sessions end on every node within 2 s and logins are refused; with Redis down the
// command fails with one clear line and exit 1, writing nothing; a node keeps its accounts
// while Redis is down or after it came back empty.
#include <catch2/catch.hpp>

#include <signal.h>

#include "three_nodes.hpp"

using namespace chat::test;
using namespace std::chrono_literals;

namespace {
bool can_login(unsigned short port, const std::string& name) {
    try {
        login(port, name);
        return true;
    } catch (const std::runtime_error&) {
        return false;
    }
}

// Waits for the server to close `ws`; returns the close code, or 0 when it stayed open.
int closed_within(WsClient& ws, std::chrono::milliseconds timeout) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    try {
        while (std::chrono::steady_clock::now() < end)
            (void)ws.recv(std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now()));
    } catch (const WsClosed& c) {
        return c.code;
    }
    return 0;
}
}  // namespace

TEST_CASE("an account added once through Redis logs in on two nodes, and removed is cut off on both within 2 s",
          "[cluster][redis][accounts]") {
    Nodes cluster({}, 2);
    // Added while the nodes run: both see it without a restart.
    add_user_redis(cluster.redis, "alice", "agent");
    CHECK(redis_cli(cluster.redis, {"HEXISTS", "{chat}:accounts", "alice"}) == "1");
    CHECK(eventually([&] { return can_login(cluster.port(0), "alice") && can_login(cluster.port(1), "alice"); }, 2s));
    CHECK_FALSE(std::filesystem::exists(cluster.nodes[0]->data() / "accounts.json"));
    CHECK_FALSE(can_login(cluster.port(0), "bob"));

    AgentClient on_n1(cluster.port(0), "alice", false);
    AgentClient on_n2(cluster.port(1), "alice", false);
    const auto listed = run_program({chatd_path(), "user", "list", "--json", "--redis", cluster.redis.url()});
    REQUIRE(listed.code == 0);
    auto accounts = nlohmann::json::parse(listed.out.substr(listed.out.find('[')));
    REQUIRE(accounts.size() == 1);
    CHECK(accounts[0]["name"] == "alice");

    const auto removed = run_program({chatd_path(), "user", "remove", "alice", "--redis", cluster.redis.url()});
    REQUIRE(removed.code == 0);
    const auto start = std::chrono::steady_clock::now();
    CHECK(closed_within(on_n1.ws, 2s) == 1008);
    CHECK(closed_within(on_n2.ws, 2s) == 1008);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK_FALSE(can_login(cluster.port(0), "alice"));
    CHECK_FALSE(can_login(cluster.port(1), "alice"));

    // Removing it again: exit 1, naming where the accounts are.
    const auto again = run_program({chatd_path(), "user", "remove", "alice", "--redis", cluster.redis.url()});
    CHECK(again.code == 1);
    CHECK_THAT(again.out, Catch::Contains("no account named 'alice'") && Catch::Contains("{chat}:accounts"));
}

TEST_CASE("a node keeps the accounts it had while Redis is down", "[cluster][redis][accounts]") {
    Nodes cluster({{"alice", "agent", "fr,en", 3}}, 1);
    CHECK(can_login(cluster.port(0), "alice"));
    cluster.redis.stop(SIGKILL);
    REQUIRE(eventually([&] { return cluster.health(0) == "down"; }, 10s));
    std::this_thread::sleep_for(500ms);  // several refreshes fail meanwhile
    CHECK(can_login(cluster.port(0), "alice"));
}

TEST_CASE("chatd user --redis with Redis down: one clear line, exit 1, nothing written", "[cluster][redis][accounts]") {
    RedisProcess redis;
    const std::string url = redis.url();
    redis.stop(SIGKILL);
    TempDir dir;
    const auto data = (dir.path() / "data").string();
    const std::vector<std::vector<std::string>> commands = {
        {"add", "alice", "--role", "agent"}, {"list"}, {"remove", "alice"}};
    for (auto args : commands) {
        args.insert(args.begin(), {chatd_path(), "user"});
        args.insert(args.end(), {"--redis", url, "--data", data});
        const auto r = run_program(args, "correct horse 42\n");
        INFO(args[2]);
        CHECK(r.code == 1);
        CHECK_THAT(r.out, Catch::Contains("chatd user: cannot reach Redis at " + url));
        CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    }
    CHECK_FALSE(std::filesystem::exists(dir.path() / "data" / "accounts.json"));
}

TEST_CASE("Redis restarted empty: a node keeps its accounts until accounts are added again",
          "[cluster][redis][accounts]") {
    Nodes cluster({{"alice", "agent", "fr,en", 3}}, 1);
    cluster.redis.stop(SIGKILL);
    cluster.redis.start();  // nothing saved: no accounts, no version
    REQUIRE(cluster.ready());
    // The node reconnects its accounts link (at most once a second) and sees the empty Redis.
    CHECK(eventually([&] { return cluster.output(0).find("Redis lost its data") != std::string::npos; }, 5s));
    CHECK(can_login(cluster.port(0), "alice"));
    // The first account added again: the node now follows Redis (bob in, alice gone).
    add_user_redis(cluster.redis, "bob", "agent");
    CHECK(eventually([&] { return can_login(cluster.port(0), "bob"); }, 2s));
    CHECK_FALSE(can_login(cluster.port(0), "alice"));
}
