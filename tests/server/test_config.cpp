// Unit tests of chatd's flag and config-file parsing (server/config.cpp).
#include <catch2/catch.hpp>

#include <fstream>

#include "chatd_process.hpp"
#include "config.hpp"

using namespace chat::server;

static Config parse(std::vector<std::string> args) {
    bool help = false;
    return parse_server_args(args, help);
}

TEST_CASE("defaults follow the CLI contract") {
    Config c = parse({});
    CHECK(c.listen.address == "127.0.0.1");
    CHECK(c.listen.port == 8080);
    CHECK(c.data == "data");
    CHECK(c.limits.frame_bytes == 65536);
    CHECK(c.limits.text_chars == 4000);
    CHECK(c.limits.msgs_per_s == 10);
    CHECK(c.limits.burst == 20);
    CHECK(c.limits.header_timeout_s == 10);
    CHECK(c.limits.conns_per_address == 100);
    CHECK(c.limits.max_connections == 100000);
}

TEST_CASE("flags are parsed, both --flag VALUE and --flag=VALUE") {
    Config c = parse({"--listen", "0.0.0.0:9000", "--data=/tmp/x", "--node", "n1", "--allowed-origin",
                      "https://a.example", "--allowed-origin", "https://b.example"});
    CHECK(c.listen.address == "0.0.0.0");
    CHECK(c.listen.port == 9000);
    CHECK(c.data == "/tmp/x");
    CHECK(c.node == "n1");
    CHECK(c.allowed_origins == std::vector<std::string>{"https://a.example", "https://b.example"});
}

TEST_CASE("the help flag is recognised anywhere") {
    bool help = false;
    parse_server_args({"--listen", "1.2.3.4:5", "--help"}, help);
    CHECK(help);
    CHECK(server_usage().find("--listen ADDR:PORT") != std::string::npos);
}

TEST_CASE("usage errors name the flag at fault") {
    auto message = [](std::vector<std::string> args) {
        try {
            parse(args);
        } catch (const UsageError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message({"--listen", "nowhere"}).rfind("--listen", 0) == 0);
    CHECK(message({"--listen", "1.2.3.4:99999"}).rfind("--listen", 0) == 0);
    CHECK(message({"--bogus", "1"}).rfind("--bogus", 0) == 0);
    CHECK(message({"--data"}).rfind("--data", 0) == 0);
    CHECK(message({"--node", "has space"}).rfind("--node", 0) == 0);
    CHECK(message({"--redis", "http://x"}).rfind("--redis", 0) == 0);
    CHECK(message({"--tls-cert", "a.pem"}).rfind("--tls-key", 0) == 0);
    CHECK(message({"stray"}).rfind("stray", 0) == 0);
}

TEST_CASE("the config file is read and flags win over it") {
    chat::test::TempDir dir;
    auto file = dir.path() / "chatd.json";
    std::ofstream(file) << R"({"listen":"127.0.0.1:7000","data":"/srv/chat","node":"from-file",
        "allowed-origin":["https://shop.example"],"limits":{"frame_bytes":4096,"conns_per_address":0}})";
    Config c = parse({"--config", file.string(), "--node", "from-flag"});
    CHECK(c.listen.port == 7000);
    CHECK(c.data == "/srv/chat");
    CHECK(c.node == "from-flag");
    CHECK(c.allowed_origins == std::vector<std::string>{"https://shop.example"});
    CHECK(c.limits.frame_bytes == 4096);
    CHECK(c.limits.conns_per_address == 0);

    Config d = parse({"--config", file.string(), "--allowed-origin", "https://other.example"});
    CHECK(d.allowed_origins == std::vector<std::string>{"https://other.example"});
}

TEST_CASE("a bad config file is refused with a reason") {
    chat::test::TempDir dir;
    auto file = dir.path() / "bad.json";
    std::ofstream(file) << R"({"listen": "127.0.0.1:7000",)";
    CHECK_THROWS_WITH(parse({"--config", file.string()}), Catch::Contains("not valid JSON"));
    std::ofstream(file, std::ios::trunc) << R"({"limits": {"frame_bytes": "big"}})";
    CHECK_THROWS_WITH(parse({"--config", file.string()}), Catch::Contains("limits.frame_bytes"));
    std::ofstream(file, std::ios::trunc) << R"({"limits": {"no_such_limit": 1}})";
    CHECK_THROWS_WITH(parse({"--config", file.string()}), Catch::Contains("no_such_limit"));
    CHECK_THROWS_WITH(parse({"--config", (dir.path() / "missing.json").string()}), Catch::Contains("cannot read"));
}

TEST_CASE("commit window flag: 2 ms by default, 0 turns it off, out of range refused") {
    CHECK(parse({}).commit_window_us == 2000);
    CHECK(parse({"--commit-window-us", "0"}).commit_window_us == 0);
    CHECK(parse({"--commit-window-us=500"}).commit_window_us == 500);
    CHECK_THROWS_AS(parse({"--commit-window-us", "-1"}), UsageError);
    CHECK_THROWS_AS(parse({"--commit-window-us", "2000000"}), UsageError);
}
