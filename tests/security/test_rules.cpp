// Security rules tested against the real chatd: tokens (forged, another visitor's, expired,
// revoked), rights (agents on others' conversations, manager-only endpoints), origins,
// login rate limits, trusted proxies, path traversal, oversized and malformed frames,
// floods, slow clients, and one open conversation per visitor.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <regex>
#include <set>
#include <thread>

#include "accounts.hpp"
#include "identity.hpp"
#include "security_support.hpp"
#include "sessions.hpp"

using namespace chat::test;
using nlohmann::json;

namespace {
std::int64_t wall_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}
WsClient::Headers bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }
}  // namespace

TEST_CASE("visitor tokens carry 128 random bits, are bound to their visitor and cannot be forged") {
    SecureShop shop;
    Shopper a(shop.port());
    const std::string visitor = a.welcome["visitor"], token = a.token();
    CHECK(std::regex_match(visitor, std::regex("v[0-9a-f]{32}")));  // 128 bits from getrandom
    CHECK(token.rfind(visitor + ".", 0) == 0);
    a.say("my order number is 12345");
    Shopper b(shop.port());
    CHECK(b.welcome["visitor"] != visitor);

    // A token with a changed MAC, another visitor's id under my MAC, garbage: all refused.
    std::string forged = token;
    forged.back() = forged.back() == '0' ? '1' : '0';
    const std::string swapped = b.welcome["visitor"].get<std::string>() + token.substr(token.find('.'));
    for (const std::string& bad : {forged, swapped, std::string("v00000000000000000000000000000000.0"), std::string("..")}) {
        b.ws.send(json{{"type", "resume"}, {"token", bad}, {"last_seq", 0}});
        CHECK(b.ws.expect("error")["code"] == "unauthorized");
    }
    // A forged token in the URL gets a brand-new visitor, never the victim's history.
    Shopper c(shop.port(), "?lang=en&token=" + forged);
    CHECK(c.welcome["visitor"] != visitor);
    CHECK(c.welcome["conv"].is_null());
    // A token made by another chatd (another data directory's secret) is refused too.
    SecureShop other;
    Shopper d(other.port());
    d.ws.send(json{{"type", "resume"}, {"token", token}, {"last_seq", 0}});
    CHECK(d.ws.expect("error")["code"] == "unauthorized");
    // The genuine token resumes the genuine visitor with their history.
    Shopper again(shop.port(), "?lang=en&token=" + token);
    CHECK(again.welcome["visitor"] == visitor);
    CHECK(again.welcome["conv"].is_string());
    CHECK(again.welcome["last_seq"].get<int>() >= 1);
}

TEST_CASE("an agent cannot act on or read a conversation not assigned to it, and only managers read KPIs") {
    SecureShop shop("", {{"alice", "agent"}, {"bob", "agent"}, {"mia", "manager"}});
    AgentClient alice(shop.port(), "alice");
    Shopper v(shop.port());
    v.say("I want to talk to a human");
    const std::string conv = alice.ws.expect("assigned")["conv"];
    AgentClient bob(shop.port(), "bob", false);
    for (const json& frame : {json{{"type", "message"}, {"conv", conv}, {"text", "hi"}, {"client_id", "b1"}},
                              json{{"type", "note"}, {"conv", conv}, {"text", "x"}},
                              json{{"type", "transfer"}, {"conv", conv}, {"to", "bob"}},
                              json{{"type", "resolve"}, {"conv", conv}}}) {
        bob.ws.send(frame);
        CHECK(bob.ws.expect("error")["code"] == "forbidden");
    }
    const std::string bob_token = login(shop.port(), "bob");
    CHECK(http_request(shop.port(), "GET", "/api/conversations/" + conv, "", bearer(bob_token)).status == 403);
    CHECK(http_request(shop.port(), "GET", "/api/conversations/" + conv, "", bearer(login(shop.port(), "alice"))).status == 200);
    CHECK(http_request(shop.port(), "GET", "/api/conversations/" + conv, "", bearer(login(shop.port(), "mia"))).status == 200);
    // Manager-only endpoint: as an agent 403, as nobody 401, with a forged token 401.
    CHECK(http_request(shop.port(), "GET", "/api/kpi", "", bearer(bob_token)).status == 403);
    CHECK(http_request(shop.port(), "GET", "/api/kpi").status == 401);
    CHECK(http_request(shop.port(), "GET", "/api/kpi", "", bearer("s1.forged.token")).status == 401);
    CHECK(http_request(shop.port(), "GET", "/api/conversations/" + conv).status == 401);
    CHECK(http_request(shop.port(), "GET", "/api/kpi", "", bearer(login(shop.port(), "mia"))).status == 200);
    // Nothing of it happened: alice still holds the conversation and the visitor saw no "hi".
    alice.say(conv, "Alice here");
    json m = v.ws.expect("message");
    while (m["author"] != "agent") m = v.ws.expect("message");
    CHECK(m["text"] == "Alice here");
}

TEST_CASE("expired and revoked agent sessions are refused") {
    SecureShop shop("", {{"alice", "agent"}, {"mia", "manager"}});
    // A genuine token that expired an hour ago (signed with this data directory's secret).
    chat::accounts::AccountStore store(shop.data());
    chat::accounts::SessionTokens tokens(chat::server::load_or_create_secret(shop.data()));
    const std::string expired = tokens.issue(*store.find("mia"), wall_ms() - 13 * 3600 * 1000LL);
    CHECK(http_request(shop.port(), "GET", "/api/me", "", bearer(expired)).status == 401);
    WsClient ws(shop.port(), "/ws/agent");
    ws.send(json{{"type", "auth"}, {"token", expired}});
    CHECK(ws.expect("error")["code"] == "unauthorized");

    // Logout revokes the token.
    const std::string token = login(shop.port(), "mia");
    CHECK(http_request(shop.port(), "GET", "/api/me", "", bearer(token)).status == 200);
    CHECK(http_request(shop.port(), "POST", "/api/logout", "", bearer(token)).status == 200);
    CHECK(http_request(shop.port(), "GET", "/api/me", "", bearer(token)).status == 401);
    // `chatd user remove` ending live sessions: tests/server/test_conversations.cpp.
}

TEST_CASE("origins: the shop's for the visitor socket, chatd's own for the agent socket and the API") {
    SecureShop shop(R"({"allowed-origin":["https://shop.example"]})", {{"alice", "agent"}});
    const std::string own = "http://127.0.0.1:" + std::to_string(shop.port());
    CHECK_THROWS_WITH(WsClient(shop.port(), "/ws/visitor", {{"Origin", "https://evil.example"}}), Catch::Contains("403"));
    CHECK_THROWS_WITH(WsClient(shop.port(), "/ws/visitor", {{"Origin", "null"}}), Catch::Contains("403"));
    CHECK_THROWS_WITH(WsClient(shop.port(), "/ws/visitor", {{"Origin", "https://shop.example.evil.example"}}), Catch::Contains("403"));
    WsClient good(shop.port(), "/ws/visitor", {{"Origin", "https://shop.example"}});
    CHECK(good.expect("welcome")["type"] == "welcome");
    WsClient no_origin(shop.port(), "/ws/visitor");  // not a browser page
    CHECK(no_origin.expect("welcome")["type"] == "welcome");

    CHECK_THROWS_WITH(WsClient(shop.port(), "/ws/agent", {{"Origin", "https://shop.example"}}), Catch::Contains("403"));
    CHECK_THROWS_WITH(WsClient(shop.port(), "/ws/agent", {{"Origin", "https://evil.example"}}), Catch::Contains("403"));
    WsClient console(shop.port(), "/ws/agent", {{"Origin", own}});
    console.send(json{{"type", "auth"}, {"token", login(shop.port(), "alice")}});
    CHECK(console.expect("hello")["type"] == "hello");

    // CSRF: another site's page cannot log in, log out or change anything through the API.
    const std::string creds = R"({"user":"alice","password":"correct horse 42"})";
    auto evil = http_request(shop.port(), "POST", "/api/login", creds, {{"Origin", "https://evil.example"}});
    CHECK(evil.status == 403);
    CHECK(evil.headers.count("set-cookie") == 0);
    CHECK(http_request(shop.port(), "PUT", "/api/canned", "[]",
                       {{"Origin", "https://evil.example"}, {"Authorization", "Bearer " + login(shop.port(), "alice")}})
              .status == 403);
    CHECK(http_request(shop.port(), "POST", "/api/login", creds, {{"Origin", own}}).status == 200);
}

TEST_CASE("login attempts are rate-limited per account and per address") {
    SecureShop shop(R"({"limits":{"login_burst":3,"login_per_min":1}})", {{"alice", "agent"}, {"bob", "agent"}});
    const std::string wrong = R"({"user":"alice","password":"guess"})";
    for (int i = 0; i < 3; ++i) CHECK(http_request(shop.port(), "POST", "/api/login", wrong).status == 401);
    auto limited = http_request(shop.port(), "POST", "/api/login", wrong);
    CHECK(limited.status == 429);
    CHECK(std::stoi(limited.headers["retry-after"]) >= 1);
    CHECK(json::parse(limited.body)["error"] == "rate_limited");
    // Even the right password waits now (guessing must not be told when it is right)…
    CHECK(http_request(shop.port(), "POST", "/api/login", R"({"user":"alice","password":"correct horse 42"})").status == 429);
    // …while another account from the same address still logs in.
    CHECK_NOTHROW(login(shop.port(), "bob"));
    // The address has its own, larger budget: spraying many names from one address is stopped too.
    int refused = 0;
    for (int i = 0; i < 15; ++i)
        refused += http_request(shop.port(), "POST", "/api/login", json{{"user", "user" + std::to_string(i)}, {"password", "x"}}.dump())
                       .status == 429;
    CHECK(refused > 0);
    // From another address (the per-address bucket), bob is still welcome.
    std::size_t failed = 0;
    for (const auto& e : shop.events()) failed += e["type"] == "audit" && e["action"] == "login.failed";
    CHECK(failed >= 3);
}

TEST_CASE("X-Forwarded-For is believed only from trusted proxies") {
    SecureShop trusting("", {{"alice", "agent"}}, {"--trusted-proxy", "127.0.0.0/8"});
    http_request(trusting.port(), "POST", "/api/login", R"({"user":"alice","password":"correct horse 42"})",
                 {{"X-Forwarded-For", "198.51.100.4, 203.0.113.9"}});
    SecureShop plain("", {{"alice", "agent"}});
    http_request(plain.port(), "POST", "/api/login", R"({"user":"alice","password":"correct horse 42"})",
                 {{"X-Forwarded-For", "203.0.113.9"}});
    auto addr_of_login = [](const SecureShop& s) {
        for (const auto& e : s.events())
            if (e["type"] == "audit" && e["action"] == "login") return e["addr"].get<std::string>();
        return std::string("(none)");
    };
    eventually([&] { return addr_of_login(trusting) != "(none)" && addr_of_login(plain) != "(none)"; });
    CHECK(addr_of_login(trusting) == "203.0.113.9");  // the right-most untrusted hop
    CHECK(addr_of_login(plain) == "127.0.0.1");       // a client cannot claim another address
    CHECK(run_program({chatd_path(), "--trusted-proxy", "10.0.0.0/33"}).code == 2);
}

TEST_CASE("static files: no way out of the web root, encoded or not, nor through a symlink") {
    TempDir web;
    std::ofstream(web.path() / "index.html") << "<p>shop</p>";
    std::filesystem::create_directories(web.path() / "sub");
    TempDir outside;
    std::ofstream(outside.path() / "secret.txt") << "TOP-SECRET-CONTENT";
    std::filesystem::create_symlink(outside.path() / "secret.txt", web.path() / "link.txt");
    std::filesystem::create_directory_symlink(outside.path(), web.path() / "sub" / "out");
    SecureShop shop("", {}, {"--web-root", web.path().string()});
    CHECK(http_request(shop.port(), "GET", "/").status == 200);
    const std::string up = "/" + std::filesystem::relative(outside.path() / "secret.txt", web.path()).string();
    for (const std::string& target :
         {up, std::string("/../secret.txt"), std::string("/%2e%2e/secret.txt"), std::string("/%2E%2E%2Fsecret.txt"),
          std::string("/sub/..%2f..%2fsecret.txt"), std::string("/sub/%2e%2e/%2e%2e/etc/passwd"), std::string("/..%5c..%5cetc/passwd"),
          std::string("/sub\\..\\..\\etc\\passwd"), std::string("/%252e%252e/etc/passwd"), std::string("/index.html%00.txt"),
          std::string("/link.txt"), std::string("/sub/out/secret.txt"), std::string("/%"), std::string("/%zz")}) {
        auto r = http_request(shop.port(), "GET", target);
        INFO(target);
        CHECK((r.status == 400 || r.status == 404));
        CHECK(r.body.find("TOP-SECRET") == std::string::npos);
        CHECK(r.body.find("root:") == std::string::npos);
    }
}

TEST_CASE("oversized and malformed frames: an error or a close, and the server serves on") {
    SecureShop shop(R"({"limits":{"frame_bytes":2048,"text_chars":100}})");
    Shopper v(shop.port());
    for (const std::string& bad : {std::string("not json"), std::string("[1,2]"), std::string("{\"type\":42}"),
                                   std::string("{\"type\":\"message\",\"text\":123,\"client_id\":\"x\"}"),
                                   std::string("{\"type\":\"message\",\"text\":\"") + std::string(101, 'a') + "\",\"client_id\":\"y\"}",
                                   std::string("{\"type\":\"no-such-type\"}"), std::string("{\"a\":") + std::string(500, '[')}) {
        v.ws.send(bad);
        INFO(bad);
        CHECK(v.ws.expect("error")["code"].is_string());
    }
    CHECK(v.say("still here")["type"] == "ack");
    v.ws.send(std::string(4096, 'x'));
    int code = 0;
    try {
        while (v.ws.recv(3s)) {
        }
    } catch (const WsClosed& c) {
        code = c.code;
    }
    CHECK(code == 1009);
    // A request body over 64 KiB is refused (413), headers over 16 KiB too.
    CHECK(http_request(shop.port(), "POST", "/api/login", std::string(70000, 'x')).status == 413);
    CHECK(http_request(shop.port(), "GET", "/", "", {{"X-Big", std::string(20000, 'x')}}).status == 413);
    Shopper other(shop.port());
    CHECK(other.say("hello")["type"] == "ack");
}

TEST_CASE("floods: a message flood and a connection flood from one address, and everyone else is served") {
    SecureShop shop(R"({"limits":{"conns_per_address":20}})");
    Shopper calm(shop.port(), "?lang=en");
    // Message flood: rate_limited, then closed with 1008.
    Shopper flooder(shop.port());
    int code = 0;
    try {
        for (int i = 0; i < 300; ++i) flooder.ws.send(json{{"type", "typing"}, {"on", true}});
        while (flooder.ws.recv(2s)) {
        }
    } catch (const WsClosed& c) {
        code = c.code;
    }
    CHECK(code == 1008);
    // Connection flood from 127.0.0.1: refused beyond the per-address limit.
    std::vector<int> fds;
    for (int i = 0; i < 40; ++i) fds.push_back(raw_connect(shop.port()));
    // The server counts a connection once it has accepted it: wait for it to catch up (a busy
    // machine may take a while), then the next connection from this address is refused.
    int status = 0;
    for (auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until;) {
        status = http_request(shop.port(), "GET", "/healthz").status;
        if (status == 429) break;
        std::this_thread::sleep_for(50ms);
    }
    CHECK(status == 429);
    // Someone else, from another address, is served, and the calm visitor's chat goes on.
    WsClient other(shop.port(), "/ws/visitor", {}, "127.0.0.2");
    CHECK(other.expect("welcome")["type"] == "welcome");
    CHECK(calm.say("hello, anyone?")["type"] == "ack");
    for (int fd : fds)
        if (fd >= 0) ::close(fd);
}

TEST_CASE("slow clients: headers and bodies must arrive within header_timeout_s") {
    SecureShop shop(R"({"limits":{"header_timeout_s":1}})");
    // Headers trickled a byte at a time.
    int slow_headers = raw_connect(shop.port());
    REQUIRE(slow_headers >= 0);
    std::thread trickle([&] {
        const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
        for (char c : req) {
            if (::send(slow_headers, &c, 1, MSG_NOSIGNAL) <= 0) break;
            std::this_thread::sleep_for(100ms);
        }
    });
    // A body that never completes.
    int slow_body = raw_connect(shop.port());
    REQUIRE(slow_body >= 0);
    const std::string head = "POST /api/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"user\":";
    REQUIRE(::send(slow_body, head.data(), head.size(), MSG_NOSIGNAL) > 0);
    // Meanwhile everyone else is served.
    CHECK(http_request(shop.port(), "GET", "/healthz").status == 200);
    auto body_closed = wait_closed(slow_body, 4s);
    auto headers_closed = wait_closed(slow_headers, 4s);
    trickle.join();
    ::close(slow_body);
    ::close(slow_headers);
    REQUIRE(body_closed);
    REQUIRE(headers_closed);
    CHECK(*body_closed < 2500ms);
    CHECK(*headers_closed < 2500ms);
}

TEST_CASE("a visitor has one open conversation, however many connections they open") {
    SecureShop shop("", {{"mia", "manager"}});
    Shopper a(shop.port());
    a.say("first question about delivery");
    const std::string token = a.token();
    std::vector<std::unique_ptr<Shopper>> tabs;
    for (int i = 0; i < 3; ++i) {
        tabs.push_back(std::make_unique<Shopper>(shop.port(), "?lang=en&token=" + token));
        tabs.back()->say("another question " + std::to_string(i));
    }
    auto list = json::parse(http_request(shop.port(), "GET", "/api/conversations", "", bearer(login(shop.port(), "mia"))).body);
    std::set<std::string> convs;
    for (auto& c : list) convs.insert(c["conv"].get<std::string>());
    CHECK(convs.size() == 1);
}
