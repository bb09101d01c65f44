// Unit tests of the pure security parts: blanking texts in place, origin checks, the client
// address behind proxies, and the login limiter's buckets.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "blank_fields.hpp"
#include "client_address.hpp"
#include "login_limiter.hpp"
#include "origin_policy.hpp"

using namespace chat::server;
using chat::privacy::blank_string_fields;
using nlohmann::json;

TEST_CASE("blanking keeps the line's length, its validity and every other field") {
    std::string line = R"({"author":"visitor","conv":"c1","text":"say \"hi\" \\ and \u00e9 {[,:]}","ts":5,"page":{"a":["text"]}})";
    const std::string original = line;
    CHECK(blank_string_fields(line, {"text"}) == 1);
    CHECK(line.size() == original.size());
    const json j = json::parse(line);
    CHECK(j["text"].is_null());
    CHECK(j["author"] == "visitor");
    CHECK(j["page"]["a"][0] == "text");  // nested members are not touched
    CHECK(j["ts"] == 5);
    CHECK(line.find("hi") == std::string::npos);
    // Idempotent, and short strings are emptied instead.
    CHECK(blank_string_fields(line, {"text"}) == 0);
    std::string short_one = R"({"comment":"x","text":""})";
    CHECK(blank_string_fields(short_one, {"comment", "text"}) == 2);
    CHECK(json::parse(short_one)["comment"] == "");
    CHECK(short_one.find("\"x\"") == std::string::npos);
    // Lines that are not one complete object are left alone.
    for (std::string bad : {std::string(R"({"text":"abc")"), std::string(R"([{"text":"abc"}])"), std::string(R"({"text":"abc"} x)"),
                            std::string(""), std::string(R"({"text":"abc",})")}) {
        const std::string copy = bad;
        CHECK(blank_string_fields(bad, {"text"}) == 0);
        CHECK(bad == copy);
    }
}

TEST_CASE("origins: the shop's list for visitors, our own host for agents") {
    const std::vector<std::string> shops{"https://shop.example", "https://www.shop.example/"};
    CHECK(visitor_origin_ok("https://shop.example", shops));
    CHECK(visitor_origin_ok("https://WWW.shop.example", shops));
    CHECK_FALSE(visitor_origin_ok("https://shop.example.evil", shops));
    CHECK_FALSE(visitor_origin_ok("http://shop.example", shops));
    CHECK_FALSE(visitor_origin_ok("null", shops));
    CHECK(visitor_origin_ok("", shops));
    CHECK(visitor_origin_ok("https://anything", {}));
    CHECK(same_origin("http://127.0.0.1:8080", "127.0.0.1:8080"));
    CHECK(same_origin("https://chat.shop.example", "chat.shop.example"));
    CHECK(same_origin("", "chat.shop.example"));
    CHECK_FALSE(same_origin("https://evil.example", "chat.shop.example"));
    CHECK_FALSE(same_origin("null", "chat.shop.example"));
    CHECK_FALSE(same_origin("https://chat.shop.example@evil", "chat.shop.example"));
    CHECK_FALSE(same_origin("ftp://chat.shop.example", "chat.shop.example"));
    CHECK_FALSE(same_origin("https://chat.shop.example", ""));
}

TEST_CASE("the client address: X-Forwarded-For only through trusted proxies") {
    std::vector<Cidr> proxies{*parse_cidr("10.0.0.0/8"), *parse_cidr("::1")};
    CHECK(client_address("203.0.113.5", "1.2.3.4", proxies) == "203.0.113.5");         // not a proxy: ignored
    CHECK(client_address("10.1.2.3", "198.51.100.7", proxies) == "198.51.100.7");
    CHECK(client_address("10.1.2.3", "6.6.6.6, 198.51.100.7, 10.9.9.9", proxies) == "198.51.100.7");  // right-most untrusted
    CHECK(client_address("10.1.2.3", "garbage", proxies) == "10.1.2.3");
    CHECK(client_address("::1", "2001:db8::1", proxies) == "2001:db8::1");
    CHECK(client_address("10.1.2.3", "", proxies) == "10.1.2.3");
    CHECK(client_address("10.1.2.3", "1.1.1.1", {}) == "10.1.2.3");
    CHECK(in_cidr("192.168.1.200", *parse_cidr("192.168.1.0/24")));
    CHECK_FALSE(in_cidr("192.168.2.1", *parse_cidr("192.168.1.0/24")));
    CHECK(in_cidr("8.8.8.8", *parse_cidr("0.0.0.0/0")));
    CHECK_FALSE(in_cidr("2001:db8::1", *parse_cidr("10.0.0.0/8")));
    for (const char* bad : {"10.0.0.0/33", "10.0.0/8", "fd00::/129", "x", "", "10.0.0.1/"}) CHECK_FALSE(parse_cidr(bad));
}

TEST_CASE("login limiter: a burst per account, four per address, refilled with time, reset by success") {
    LoginLimiter lim(3, 6);  // 3 at once, then one every 10 s
    std::int64_t t = 1'000'000;
    for (int i = 0; i < 3; ++i) CHECK(lim.attempt("Alice", "1.1.1.1", t) == 0);
    const int wait = lim.attempt("alice", "2.2.2.2", t);  // names ignore case; any address
    CHECK(wait >= 9);
    CHECK(wait <= 10);
    CHECK(lim.attempt("bob", "1.1.1.1", t) == 0);
    CHECK(lim.attempt("alice", "1.1.1.1", t + 10'000) == 0);  // one came back
    CHECK(lim.attempt("alice", "1.1.1.1", t + 10'000) > 0);
    lim.succeeded("ALICE");
    CHECK(lim.attempt("alice", "1.1.1.1", t + 10'000) == 0);
    // Spraying names from one address: 12 at once, then refused.
    int refused = 0;
    for (int i = 0; i < 20; ++i) refused += lim.attempt("user" + std::to_string(i), "9.9.9.9", t) > 0;
    CHECK(refused == 8);
}
