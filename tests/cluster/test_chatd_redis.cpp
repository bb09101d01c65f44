// test_chatd_redis.cpp — chatd with --redis, against a real redis-server: the node reports the
// link on /healthz and /metrics, keeps answering while Redis is down, and reconnects when it
// returns; without --redis nothing of it appears; a bad URL stops start-up with the flag named.
#include <catch2/catch.hpp>

#include <signal.h>
#include <thread>

#include <nlohmann/json.hpp>

#include "chatd_process.hpp"
#include "redis_process.hpp"
#include "ws_client.hpp"

using chat::test::ChatdProcess;
using chat::test::http_request;
using chat::test::RedisProcess;
using nlohmann::json;

namespace {
// Polls /healthz until its "redis" field is `want` (10 s at most); returns the last body.
json wait_redis(const ChatdProcess& chatd, const std::string& want) {
    json body;
    for (int i = 0; i < 1000; ++i) {
        auto r = http_request(chatd.port(), "GET", "/healthz");
        body = json::parse(r.body, nullptr, false);
        if (body.is_object() && body.value("redis", "") == want) return body;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return body;
}
}  // namespace

TEST_CASE("chatd --redis reports the link on /healthz and /metrics, and reconnects", "[cluster][redis][chatd]") {
    RedisProcess redis;
    ChatdProcess chatd({"--redis", redis.url()});
    auto h = wait_redis(chatd, "up");
    CHECK(h["redis"] == "up");
    CHECK(h["status"] == "ok");
    auto m = http_request(chatd.port(), "GET", "/metrics").body;
    CHECK_THAT(m, Catch::Contains("chat_redis_up 1"));
    CHECK_THAT(m, Catch::Contains("chat_redis_connects 1"));

    redis.stop(SIGKILL);
    h = wait_redis(chatd, "down");
    CHECK(h["redis"] == "down");
    auto r = http_request(chatd.port(), "GET", "/healthz");
    CHECK(r.status == 200);  // it still serves what it holds
    CHECK_THAT(http_request(chatd.port(), "GET", "/metrics").body, Catch::Contains("chat_redis_up 0"));

    redis.start();
    h = wait_redis(chatd, "up");
    CHECK(h["redis"] == "up");
    CHECK_THAT(http_request(chatd.port(), "GET", "/metrics").body, Catch::Contains("chat_redis_connects 2"));
    CHECK(chatd.stop(SIGTERM) == 0);
    CHECK_THAT(chatd.output(), Catch::Contains("redis redis://127.0.0.1:" + std::to_string(redis.port()) + ": up"));
}

TEST_CASE("chatd without --redis shows nothing of Redis", "[cluster][chatd]") {
    ChatdProcess chatd;
    auto h = json::parse(http_request(chatd.port(), "GET", "/healthz").body);
    CHECK_FALSE(h.contains("redis"));
    CHECK(h["status"] == "ok");
    CHECK_THAT(http_request(chatd.port(), "GET", "/metrics").body, !Catch::Contains("chat_redis"));
}

TEST_CASE("chatd refuses a --redis URL it cannot use, naming the flag", "[cluster][chatd]") {
    chat::test::TempDir dir;
    auto data = dir.path() / "data";
    auto r = chat::test::run_program(
        {chat::test::chatd_path(), "--listen", "127.0.0.1:0", "--data", data.string(), "--redis", "redis://localhost"});
    CHECK(r.code == 2);
    CHECK_THAT(r.out, Catch::Contains("--redis") && Catch::Contains("no port"));
}
