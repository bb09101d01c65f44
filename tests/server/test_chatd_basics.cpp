// Integration tests of chatd's foundation: start-up, flags, health, static files, the visitor
// WebSocket's welcome and error frames, limits, and a clean shutdown under open connections.
// Every test starts the real binary on a free loopback port.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <thread>

#include "chatd_process.hpp"
#include "ws_client.hpp"

using namespace chat::test;
using nlohmann::json;

TEST_CASE("chatd --help lists the flags and exits 0") {
    auto r = run_program({chatd_path(), "--help"});
    CHECK(r.code == 0);
    for (const char* flag : {"--listen", "--data", "--config", "--node", "--redis", "--web-root", "--faq",
                             "--tls-cert", "--allowed-origin", "--trusted-proxy"})
        CHECK(r.out.find(flag) != std::string::npos);
}

TEST_CASE("usage errors exit 2 with one line naming the flag") {
    auto r = run_program({chatd_path(), "--listen", "nowhere"});
    CHECK(r.code == 2);
    CHECK(r.out.find("--listen") != std::string::npos);
    CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 1);
    CHECK(run_program({chatd_path(), "--no-such-flag", "1"}).code == 2);
}

TEST_CASE("a port already in use is a runtime failure, exit 1") {
    ChatdProcess first;
    TempDir dir;
    auto r = run_program({chatd_path(), "--listen", "127.0.0.1:" + std::to_string(first.port()), "--data",
                          (dir.path() / "d").string()});
    CHECK(r.code == 1);
    CHECK(r.out.find("cannot listen on 127.0.0.1:" + std::to_string(first.port())) != std::string::npos);
}

TEST_CASE("GET /healthz answers 200 with the node id, kept across restarts") {
    TempDir dir;
    std::string node;
    {
        ChatdProcess chatd({}, dir.path() / "data");
        auto r = http_request(chatd.port(), "GET", "/healthz");
        CHECK(r.status == 200);
        auto body = json::parse(r.body);
        CHECK(body["status"] == "ok");
        node = body["node"];
        CHECK_FALSE(node.empty());
    }
    ChatdProcess again({}, dir.path() / "data");
    CHECK(json::parse(http_request(again.port(), "GET", "/healthz").body)["node"] == node);
    ChatdProcess named({"--node", "shop-1"});
    CHECK(json::parse(http_request(named.port(), "GET", "/healthz").body)["node"] == "shop-1");
}

TEST_CASE("static files are served from the web root and nothing else") {
    ChatdProcess chatd;
    auto home = http_request(chatd.port(), "GET", "/");
    CHECK(home.status == 200);
    CHECK(home.headers["content-type"] == "text/html; charset=utf-8");
    CHECK(home.body.find("widget.js") != std::string::npos);
    auto js = http_request(chatd.port(), "GET", "/widget.js");
    CHECK(js.status == 200);
    CHECK(js.headers["content-type"] == "text/javascript; charset=utf-8");
    auto head = http_request(chatd.port(), "HEAD", "/widget.js");
    CHECK(head.status == 200);
    CHECK(head.headers["content-length"] == std::to_string(js.body.size()));
    CHECK(http_request(chatd.port(), "GET", "/no-such-page.html").status == 404);
    CHECK(http_request(chatd.port(), "GET", "/../CMakeLists.txt").status == 400);
    CHECK(http_request(chatd.port(), "GET", "/%2e%2e/CMakeLists.txt").status == 400);
    CHECK(http_request(chatd.port(), "POST", "/index.html", "x").status == 405);
    CHECK(http_request(chatd.port(), "GET", "/api/nothing").status == 401);  // no endpoint list for strangers
}

TEST_CASE("the visitor WebSocket opens with a welcome frame") {
    ChatdProcess chatd;
    WsClient a(chatd.port(), "/ws/visitor?lang=fr&page=%2Fproduits%2F12");
    json w = a.next();
    CHECK(w["type"] == "welcome");
    CHECK(w["conv"].is_null());
    CHECK(w["last_seq"] == 0);
    std::string token = w["token"];
    // "<visitor>.<MAC>": 128 random bits of visitor id, bound to it by 160 bits of HMAC.
    CHECK(std::regex_match(token, std::regex("v[0-9a-f]{32}\\.[0-9a-f]{40}")));
    CHECK(token.rfind(w["visitor"].get<std::string>() + ".", 0) == 0);
    WsClient b(chatd.port());
    json w2 = b.next();
    CHECK(w2["visitor"] != w["visitor"]);
    CHECK(w2["token"] != w["token"]);
}

TEST_CASE("bad frames get an error frame and the connection stays usable") {
    ChatdProcess chatd;
    WsClient ws(chatd.port());
    ws.expect("welcome");
    ws.send(std::string("{this is not json"));
    json e = ws.expect("error");
    CHECK(e["code"] == "bad_json");
    ws.send(json{{"type", "launch_rockets"}});
    CHECK(ws.expect("error")["code"] == "bad_request");
    ws.send(json{{"no_type", 1}});
    CHECK(ws.expect("error")["code"] == "bad_request");
    ws.send(json{{"type", "message"}, {"text", std::string(5000, 'a')}, {"client_id", "c1"}});
    CHECK(ws.expect("error")["code"] == "too_large");
    ws.send(json{{"type", "resume"}, {"token", "x"}, {"last_seq", 0}});
    CHECK(ws.expect("error")["code"] == "unauthorized");
    ws.send(json{{"type", "resume"}, {"token", 12}, {"last_seq", 0}});
    CHECK(ws.expect("error")["code"] == "bad_request");
}

TEST_CASE("an oversized frame closes the connection with 1009") {
    TempDir dir;
    std::ofstream(dir.path() / "c.json") << R"({"limits":{"frame_bytes":1024}})";
    ChatdProcess chatd({"--config", (dir.path() / "c.json").string()});
    WsClient ws(chatd.port());
    ws.expect("welcome");
    ws.send(std::string(4096, ' '));
    int code = -1;
    try {
        while (ws.recv(3s)) {
        }
    } catch (const WsClosed& c) {
        code = c.code;
    }
    CHECK(code == 1009);
    // Everyone else is still served.
    CHECK(http_request(chatd.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("request headers must complete within header_timeout_s") {
    TempDir dir;
    std::ofstream(dir.path() / "c.json") << R"({"limits":{"header_timeout_s":1}})";
    ChatdProcess chatd({"--config", (dir.path() / "c.json").string()});
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(chatd.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    const char partial[] = "GET / HTTP/1.1\r\nHost: x\r\n";
    REQUIRE(::send(fd, partial, sizeof partial - 1, 0) > 0);
    timeval tv{4, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto start = std::chrono::steady_clock::now();
    char buf[256];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    auto waited = std::chrono::steady_clock::now() - start;
    ::close(fd);
    CHECK(n == 0);  // closed by the server, not timed out on our side
    CHECK(waited < 3s);
}

TEST_CASE("SIGTERM with open connections exits 0 within 2 s") {
    ChatdProcess chatd;
    std::vector<WsClient> visitors;
    for (int i = 0; i < 20; ++i) {
        visitors.emplace_back(chatd.port());
        visitors.back().expect("welcome");
    }
    auto idle_http = http_request(chatd.port(), "GET", "/healthz");
    REQUIRE(idle_http.status == 200);
    auto start = std::chrono::steady_clock::now();
    auto code = chatd.stop(SIGTERM, 2s);
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE(code.has_value());
    CHECK(*code == 0);
    CHECK(took < 2s);
    CHECK(chatd.output().find("chatd stopped") != std::string::npos);
    // Visitors were told the server is going away (close code 1001).
    int going_away = 0;
    for (auto& v : visitors) {
        try {
            while (v.recv(1s)) {
            }
        } catch (const WsClosed& c) {
            going_away += c.code == 1001;
        }
    }
    CHECK(going_away == 20);
}

TEST_CASE("SIGINT stops chatd cleanly too") {
    ChatdProcess chatd;
    WsClient v(chatd.port());
    v.expect("welcome");
    auto code = chatd.stop(SIGINT, 2s);
    REQUIRE(code.has_value());
    CHECK(*code == 0);
}

TEST_CASE("connections per address are limited (conns_per_address)") {
    TempDir dir;
    std::ofstream(dir.path() / "c.json") << R"({"limits":{"conns_per_address":3}})";
    ChatdProcess chatd({"--config", (dir.path() / "c.json").string()});
    std::vector<WsClient> held;
    for (int i = 0; i < 3; ++i) {
        held.emplace_back(chatd.port());
        held.back().expect("welcome");
    }
    // A fourth connection from 127.0.0.1 is refused before the upgrade: 429.
    CHECK_THROWS_WITH(WsClient(chatd.port()), Catch::Contains("HTTP 429"));
    CHECK(http_request(chatd.port(), "GET", "/healthz").status == 429);
    // Another loopback address is counted apart.
    WsClient other(chatd.port(), "/ws/visitor", {}, "127.0.0.2");
    CHECK(other.expect("welcome")["type"] == "welcome");
    // Closing one frees a place.
    held.back().close();
    held.pop_back();
    std::this_thread::sleep_for(200ms);
    CHECK(http_request(chatd.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("chatd's threads are named for what they do, so top -H and perf tell them apart") {
    ChatdProcess chatd({"--threads", "2"});
    auto read_names = [&] {
        std::multiset<std::string> names;
        for (const auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(chatd.pid()) + "/task")) {
            std::ifstream in(t.path() / "comm");
            std::string name;
            std::getline(in, name);
            names.insert(name);
        }
        return names;
    };
    // Threads name themselves as they start, the network pool's as chatd begins to listen: give
    // them a moment.
    const char* const expected[] = {"chatd-core", "chatd-visitors", "chatd-log", "chatd-kpi", "chatd-net"};
    auto all_there = [&](const std::multiset<std::string>& names) {
        for (const char* n : expected)
            if (names.count(n) == 0) return false;
        return true;
    };
    std::multiset<std::string> names = read_names();
    for (int i = 0; i < 100 && !all_there(names); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        names = read_names();
    }
    CHECK(names.count("chatd-core") == 1);
    CHECK(names.count("chatd-visitors") == 1);
    CHECK(names.count("chatd-log") == 1);
    CHECK(names.count("chatd-kpi") == 1);
    CHECK(names.count("chatd-net") == 1);  // --threads 2: the main thread and one more run the network
}
