// test_redis_url.cpp — the --redis URL: what is accepted, and what each refusal says.
#include <catch2/catch.hpp>

#include "redis_url.hpp"

using chat::cluster::RedisUrl;

TEST_CASE("redis URLs are taken apart", "[cluster][url]") {
    auto u = RedisUrl::parse("redis://10.0.0.5:6380");
    CHECK(u.host == "10.0.0.5");
    CHECK(u.port == 6380);
    CHECK(u.password.empty());
    CHECK(u.db == 0);

    u = RedisUrl::parse("redis://:s3cr:et@redis.internal:6379/2");
    CHECK(u.host == "redis.internal");
    CHECK(u.password == "s3cr:et");
    CHECK(u.db == 2);
    CHECK(u.describe() == "redis://:***@redis.internal:6379/2");

    u = RedisUrl::parse("redis://[::1]:7000");
    CHECK(u.host == "::1");
    CHECK(u.port == 7000);
    CHECK(u.describe() == "redis://[::1]:7000");
}

TEST_CASE("bad redis URLs are refused with the reason", "[cluster][url]") {
    auto why = [](const std::string& url) {
        try {
            RedisUrl::parse(url);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    CHECK_THAT(why("http://x:1"), Catch::Contains("not a redis:// URL"));
    CHECK_THAT(why("redis://localhost"), Catch::Contains("no port"));
    CHECK_THAT(why("redis://localhost:0"), Catch::Contains("1..65535"));
    CHECK_THAT(why("redis://localhost:99999"), Catch::Contains("1..65535"));
    CHECK_THAT(why("redis://:6379"), Catch::Contains("no host"));
    CHECK_THAT(why("redis://user@h:1"), Catch::Contains("after a ':'"));
    CHECK_THAT(why("redis://h:1/x"), Catch::Contains("database"));
    CHECK_THAT(why("redis://[::1:1"), Catch::Contains("unclosed"));
}
