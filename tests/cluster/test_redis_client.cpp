// test_redis_client.cpp — the hiredis adapter and client on an io_context, against a real
// redis-server: replies of every type, binary-safe arguments, pipelining in order, pub/sub,
// refusal while down, AUTH, reconnection after Redis restarts (pending commands get
// connection_lost, new ones succeed, subscriptions come back), and stop().
#include <catch2/catch.hpp>

#include <atomic>
#include <signal.h>
#include <thread>

#include "loop.hpp"
#include "redis_process.hpp"

using namespace chat::cluster;
using chat::test::call;
using chat::test::options;
using chat::test::RedisProcess;
using chat::test::run_until;
using chat::test::wait_state;

TEST_CASE("commands go through the adapter and every reply type comes back", "[cluster][redis]") {
    RedisProcess redis;
    boost::asio::io_context ioc;
    RedisClient c(ioc, options(redis.port()));
    c.start();
    REQUIRE(wait_state(ioc, c, LinkState::up));

    const std::string binary("a\0b\r\nc\xff", 7);
    CHECK(call(ioc, c, {"SET", "k", binary}).reply.describe() == "OK");
    auto got = call(ioc, c, {"GET", "k"});
    CHECK_FALSE(got.ec);
    CHECK(got.reply.type == Reply::Type::string);
    CHECK(got.reply.str == binary);
    CHECK(call(ioc, c, {"GET", "missing"}).reply.is_nil());
    CHECK(call(ioc, c, {"INCRBY", "n", "41"}).reply.integer == 41);
    auto err = call(ioc, c, {"INCR", "k"});
    CHECK_FALSE(err.ec);  // Redis answered: an error reply, not a link error
    CHECK(err.reply.is_error());
    CHECK_THAT(err.reply.str, Catch::Contains("not an integer"));
    call(ioc, c, {"RPUSH", "l", "x", "", "z"});
    auto list = call(ioc, c, {"LRANGE", "l", "0", "-1"});
    REQUIRE(list.reply.type == Reply::Type::array);
    CHECK(list.reply.describe() == "[x, , z]");
    CHECK(call(ioc, c, {"CLIENT", "GETNAME"}).reply.str == "test");

    // Pipelined: 2000 commands issued at once come back in order.
    std::vector<long long> seen;
    for (int i = 0; i < 2000; ++i)
        c.command({"INCR", "counter"}, [&](std::error_code ec, Reply r) { seen.push_back(ec ? -1 : r.integer); });
    REQUIRE(run_until(ioc, [&] { return seen.size() == 2000; }));
    for (int i = 0; i < 2000; ++i) REQUIRE(seen[i] == i + 1);

    chat::test::stop_and_drain(ioc, c);
}

TEST_CASE("commands from other threads with the io_context on several threads", "[cluster][redis]") {
    RedisProcess redis;
    boost::asio::io_context ioc;
    RedisClient c(ioc, options(redis.port()));
    std::atomic<int> ok{0}, failed{0};
    c.start();
    REQUIRE(wait_state(ioc, c, LinkState::up));
    auto guard = boost::asio::make_work_guard(ioc);
    ioc.restart();
    std::vector<std::thread> runners;
    for (int i = 0; i < 3; ++i) runners.emplace_back([&] { ioc.run(); });
    std::vector<std::thread> senders;
    for (int t = 0; t < 4; ++t)
        senders.emplace_back([&, t] {
            for (int i = 0; i < 500; ++i)
                c.command({"SADD", "set", std::to_string(t * 1000 + i)},
                          [&](std::error_code ec, Reply r) { (ec || r.integer != 1 ? failed : ok)++; });
        });
    for (auto& s : senders) s.join();
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (ok + failed < 2000 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    c.stop();
    guard.reset();
    for (auto& r : runners) r.join();
    CHECK(ok == 2000);
    CHECK(failed == 0);
    CHECK(c.state() == LinkState::stopped);
}

TEST_CASE("pub/sub: messages reach a subscriber on its own connection", "[cluster][redis]") {
    RedisProcess redis;
    boost::asio::io_context ioc;
    RedisClient pub(ioc, options(redis.port(), "pub"));
    std::vector<std::pair<std::string, std::string>> got;
    RedisSubscriber sub(ioc, options(redis.port(), "sub"),
                        [&](const std::string& ch, const std::string& msg) { got.emplace_back(ch, msg); });
    pub.start();
    sub.start();
    REQUIRE(wait_state(ioc, pub, LinkState::up));
    REQUIRE(run_until(ioc, [&] { return sub.state() == LinkState::up; }));

    int confirmed = 0;
    sub.subscribe("{chat}:to:n1", [&](std::error_code ec) { confirmed += ec ? 100 : 1; });
    sub.subscribe("{chat}:agents", [&](std::error_code ec) { confirmed += ec ? 100 : 1; });
    REQUIRE(run_until(ioc, [&] { return confirmed >= 2; }));
    CHECK(confirmed == 2);

    const std::string payload("{\"t\":\"x\"}\0\n", 11);
    CHECK(call(ioc, pub, {"PUBLISH", "{chat}:to:n1", payload}).reply.integer == 1);
    CHECK(call(ioc, pub, {"PUBLISH", "{chat}:agents", "hello"}).reply.integer == 1);
    CHECK(call(ioc, pub, {"PUBLISH", "{chat}:to:n2", "not for us"}).reply.integer == 0);
    REQUIRE(run_until(ioc, [&] { return got.size() >= 2; }));
    CHECK(got[0] == std::pair<std::string, std::string>{"{chat}:to:n1", payload});
    CHECK(got[1] == std::pair<std::string, std::string>{"{chat}:agents", "hello"});

    // Once Redis has the UNSUBSCRIBE, nothing more comes on that channel; the other one stays.
    sub.unsubscribe("{chat}:agents");
    int delivered_gone = 0;
    REQUIRE(run_until(ioc, [&] {
        auto n = call(ioc, pub, {"PUBLISH", "{chat}:agents", "gone"}).reply.integer;
        delivered_gone += static_cast<int>(n);
        return n == 0;
    }));
    CHECK(call(ioc, pub, {"PUBLISH", "{chat}:to:n1", "still"}).reply.integer == 1);
    REQUIRE(run_until(ioc, [&] { return got.back().second == "still"; }));
    CHECK(got.size() == 3 + static_cast<std::size_t>(delivered_gone));

    chat::test::stop_and_drain(ioc, pub);
    chat::test::stop_and_drain(ioc, sub);
}

TEST_CASE("without Redis, commands are refused at once and the client keeps trying with backoff", "[cluster][redis]") {
    RedisProcess redis;
    const auto port = redis.port();
    redis.stop();  // nothing listens on the port now
    boost::asio::io_context ioc;
    auto o = options(port);
    o.backoff_initial = std::chrono::milliseconds(50);
    o.backoff_max = std::chrono::milliseconds(400);
    RedisClient c(ioc, o);
    std::vector<LinkState> states;
    c.on_state([&](LinkState s) { states.push_back(s); });
    c.start();
    REQUIRE(run_until(ioc, [&] { return c.stats().failed_attempts >= 1; }));
    auto r = call(ioc, c, {"PING"});
    CHECK(r.ec == RedisErrc::not_connected);
    CHECK_FALSE(c.stats().last_error.empty());

    // For 1.5 s: attempts at 25–50, 50–100, 100–200, then every 200–400 ms: a handful, not a flood.
    auto before = c.stats().failed_attempts;
    run_until(ioc, [] { return false; }, std::chrono::milliseconds(1500));
    auto attempts = c.stats().failed_attempts - before;
    CHECK(attempts >= 3);
    CHECK(attempts <= 12);
    CHECK(c.stats().connects == 0);

    redis.start();
    REQUIRE(wait_state(ioc, c, LinkState::up, std::chrono::seconds(3)));
    CHECK(call(ioc, c, {"PING"}).reply.describe() == "PONG");
    CHECK(states.front() == LinkState::down);
    CHECK(states.back() == LinkState::up);
    chat::test::stop_and_drain(ioc, c);
}

TEST_CASE("Redis restarted: pending commands get connection_lost, then the link and subscriptions come back",
          "[cluster][redis]") {
    RedisProcess redis;
    boost::asio::io_context ioc;
    RedisClient c(ioc, options(redis.port()));
    std::vector<std::string> got;
    RedisSubscriber sub(ioc, options(redis.port(), "sub"), [&](const std::string&, const std::string& m) { got.push_back(m); });
    c.start();
    sub.start();
    REQUIRE(wait_state(ioc, c, LinkState::up));
    REQUIRE(run_until(ioc, [&] { return sub.state() == LinkState::up; }));
    bool confirmed = false;
    sub.subscribe("ch", [&](std::error_code ec) { confirmed = !ec; });
    REQUIRE(run_until(ioc, [&] { return confirmed; }));

    // Commands that will still be pending when Redis dies: BLPOP waits for a list that never fills.
    std::vector<std::error_code> pending;
    for (int i = 0; i < 5; ++i)
        c.command({"BLPOP", "never", "0"}, [&](std::error_code ec, Reply) { pending.push_back(ec); });
    run_until(ioc, [] { return false; }, std::chrono::milliseconds(100));
    CHECK(pending.empty());

    redis.stop(SIGKILL);
    REQUIRE(run_until(ioc, [&] { return pending.size() == 5; }));
    for (auto ec : pending) CHECK(ec == RedisErrc::connection_lost);
    REQUIRE(run_until(ioc, [&] { return c.state() != LinkState::up && sub.state() != LinkState::up; }));
    CHECK(call(ioc, c, {"PING"}).ec == RedisErrc::not_connected);

    redis.start();
    REQUIRE(wait_state(ioc, c, LinkState::up));
    REQUIRE(run_until(ioc, [&] { return sub.state() == LinkState::up; }));
    CHECK(c.stats().connects == 2);
    CHECK(call(ioc, c, {"SET", "after", "1"}).reply.describe() == "OK");
    CHECK(call(ioc, c, {"GET", "after"}).reply.str == "1");
    // The subscriber subscribed again on its own: a message published now arrives.
    REQUIRE(run_until(ioc, [&] { return call(ioc, c, {"PUBLISH", "ch", "back"}).reply.integer == 1; }));
    REQUIRE(run_until(ioc, [&] { return !got.empty(); }));
    CHECK(got.back() == "back");

    chat::test::stop_and_drain(ioc, c);
    chat::test::stop_and_drain(ioc, sub);
}

TEST_CASE("stop(): pending commands get `stopped`, later ones too", "[cluster][redis]") {
    RedisProcess redis;
    boost::asio::io_context ioc;
    RedisClient c(ioc, options(redis.port()));
    c.start();
    REQUIRE(wait_state(ioc, c, LinkState::up));
    std::vector<std::error_code> pending;
    for (int i = 0; i < 3; ++i) c.command({"BLPOP", "never", "0"}, [&](std::error_code ec, Reply) { pending.push_back(ec); });
    c.stop();
    REQUIRE(run_until(ioc, [&] { return pending.size() == 3; }));
    for (auto ec : pending) CHECK(ec == RedisErrc::stopped);
    CHECK(c.state() == LinkState::stopped);
    CHECK(call(ioc, c, {"PING"}).ec == RedisErrc::stopped);
}

TEST_CASE("AUTH from the URL: the right password connects, a wrong one is reported and retried", "[cluster][redis]") {
    RedisProcess redis;
    boost::asio::io_context ioc;
    RedisClient admin(ioc, options(redis.port(), "admin"));
    admin.start();
    REQUIRE(wait_state(ioc, admin, LinkState::up));
    REQUIRE(call(ioc, admin, {"CONFIG", "SET", "requirepass", "s3cret"}).reply.describe() == "OK");

    auto good = options(redis.port(), "good");
    good.url = RedisUrl::parse("redis://:s3cret@127.0.0.1:" + std::to_string(redis.port()) + "/3");
    RedisClient ok(ioc, good);
    ok.start();
    REQUIRE(wait_state(ioc, ok, LinkState::up));
    call(ioc, ok, {"SET", "where", "db3"});
    CHECK(call(ioc, ok, {"SELECT", "3"}).reply.describe() == "OK");
    CHECK(call(ioc, admin, {"GET", "where"}).reply.is_nil());  // admin is on db 0

    auto bad = options(redis.port(), "bad");
    bad.url = RedisUrl::parse("redis://:wrong@127.0.0.1:" + std::to_string(redis.port()));
    RedisClient refused(ioc, bad);
    refused.start();
    REQUIRE(run_until(ioc, [&] { return refused.stats().failed_attempts >= 2; }));
    CHECK(refused.state() != LinkState::up);
    CHECK_THAT(refused.stats().last_error, Catch::Contains("AUTH"));
    CHECK(call(ioc, refused, {"PING"}).ec == RedisErrc::not_connected);

    chat::test::stop_and_drain(ioc, refused);
    chat::test::stop_and_drain(ioc, ok);
    chat::test::stop_and_drain(ioc, admin);
}
