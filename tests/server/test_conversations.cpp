// Integration tests of conversations against the real chatd: the bot's answer, handoff and
// queue, routing, the agent's actions and rights, resolution and CSAT, offline messages,
// resume without loss or duplicates, recovery after a restart, slow consumers, and the log
// read back through chat-kpi.
#include <catch2/catch.hpp>

#include <signal.h>

#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "chat_actors.hpp"

using namespace chat::test;
using nlohmann::json;

namespace {
// chatd with a fresh data directory holding the given users.
struct Shop {
    TempDir dir;
    std::optional<ChatdProcess> chatd;
    explicit Shop(std::vector<std::tuple<std::string, std::string, std::string, int>> users = {},
                  std::vector<std::string> args = {}) {
        for (auto& [name, role, langs, cap] : users) add_user(dir.path() / "data", name, role, langs, cap);
        chatd.emplace(args, dir.path() / "data");
    }
    unsigned short port() const { return chatd->port(); }
    // How many observations a histogram of /metrics holds.
    long long count_of(const std::string& histogram) const {
        const auto count = metric(port(), histogram + "_count");
        REQUIRE(count);
        return *count;
    }
    void restart(std::vector<std::string> args = {}) {
        REQUIRE(chatd->stop(SIGTERM, std::chrono::seconds(3)) == 0);
        chatd.reset();
        chatd.emplace(args, dir.path() / "data");
    }
};

// What a widget that resumes with `token` from `last_seq` is replayed: the frames with a seq.
json resumed_frames(unsigned short port, const std::string& token, std::uint64_t last_seq, const std::string& conv) {
    WsClient back(port);
    back.expect("welcome");
    back.send(json{{"type", "resume"}, {"token", token}, {"last_seq", last_seq}});
    CHECK(back.expect("welcome")["conv"] == conv);
    json frames = json::array();
    while (auto f = back.recv(std::chrono::milliseconds(500))) {
        json j = json::parse(*f);
        if (j.contains("seq")) frames.push_back(j);
    }
    return frames;
}

json kpi_of(const std::filesystem::path& data) {
    auto r = run_program({(std::filesystem::path(chatd_path()).parent_path() / "chat-kpi").string(), "--json", data.string()});
    REQUIRE(r.code == 0);
    return json::parse(r.out.substr(r.out.find('{')));
}
}  // namespace

TEST_CASE("the bot answers a FAQ question, after the durable ack") {
    Shop shop;
    Shopper s(shop.port(), "?lang=en&page=%2Fshop%2Flinen-shirt.html");
    json ack = s.say("How long does delivery take?");
    CHECK(ack["seq"] == 1);
    CHECK_FALSE(ack["msg"].get<std::string>().empty());
    json mine = s.ws.expect("message");
    CHECK(mine["author"] == "visitor");
    json bot = s.ws.expect("message");
    CHECK(bot["author"] == "bot");
    CHECK(bot["faq"] == "delivery_time");
    CHECK(bot["seq"] == 2);
    CHECK(bot["text"].get<std::string>().size() > 40);
    CHECK(bot["suggestions"].is_array());
}

TEST_CASE("/metrics times the log's fdatasyncs apart from the whole durable append") {
    Shop shop;
    const auto syncs_before = shop.count_of("chat_log_sync_seconds");
    Shopper s(shop.port());
    s.say("How long does delivery take?");  // acked only after its fdatasync
    CHECK(shop.count_of("chat_log_sync_seconds") > syncs_before);
    CHECK(shop.count_of("chat_log_append_seconds") >= 1);
}

TEST_CASE("/metrics times the hand-overs between threads: to the core thread and back to the visitors'") {
    Shop shop;
    const auto core_before = shop.count_of("chat_core_wait_seconds");
    const auto send_before = shop.count_of("chat_visitor_send_wait_seconds");
    Shopper s(shop.port());
    s.say("How long does delivery take?");
    s.ws.expect("message");
    s.ws.expect("message");  // the bot's answer: released by the core, sent by the visitor thread
    // The frame went to the core, and its durable group came back to it: two waits at least.
    CHECK(shop.count_of("chat_core_wait_seconds") >= core_before + 2);
    CHECK(shop.count_of("chat_visitor_send_wait_seconds") > send_before);
    // Waits are short on an idle server: every one of them within a second.
    const auto within_a_second = metric(shop.port(), "chat_core_wait_seconds_bucket{le=\"1\"}");
    REQUIRE(within_a_second);
    CHECK(*within_a_second == shop.count_of("chat_core_wait_seconds"));
}

TEST_CASE("handoff with nobody online: queue positions and the offline form") {
    Shop shop;
    Shopper a(shop.port()), b(shop.port());
    a.say("hello");
    a.ws.send(json{{"type", "handoff"}});
    CHECK(a.ws.expect("queued")["position"] == 1);
    CHECK(a.ws.expect("no_agent")["hours"].is_string());
    b.say("I want to talk to a human");
    CHECK(b.ws.expect("queued")["position"] == 2);
    b.ws.send(json{{"type", "offline_message"}, {"email", "b@example.com"}, {"text", "Please call me"}});
    CHECK(b.ws.expect("ok")["for"] == "offline_message");
}

TEST_CASE("an agent gets the conversation, replies, transfers, then the other agent resolves, then the visitor rates") {
    Shop shop({{"alice", "agent", "fr,en", 2}, {"bob", "agent", "fr,en", 2}, {"mia", "manager", "fr,en", 2}});
    AgentClient alice(shop.port(), "alice");
    Shopper v(shop.port(), "?lang=en&page=%2Fshop%2Fwool-throw.html");
    v.say("I want to talk to a human");
    CHECK(v.ws.expect("assigned")["agent_name"] == "alice");
    json assigned = alice.ws.expect("assigned");
    const std::string conv = assigned["conv"];
    CHECK(assigned["visitor"]["lang"] == "en");
    CHECK(assigned["visitor"]["page"] == "/shop/wool-throw.html");
    CHECK(assigned["history"].size() >= 2);

    alice.say(conv, "Hello, I'm Alice. How can I help?");
    json m = v.ws.expect("message");
    CHECK(m["author"] == "agent");
    CHECK(m["agent_name"] == "alice");
    v.ws.send(json{{"type", "typing"}, {"on", true}});
    CHECK(alice.ws.expect("typing")["on"] == true);
    v.say("My parcel is late");
    CHECK(alice.ws.expect("message")["text"] == "My parcel is late");

    // bob may not act on alice's conversation.
    AgentClient bob(shop.port(), "bob");
    bob.ws.send(json{{"type", "message"}, {"conv", conv}, {"text", "hi"}, {"client_id", "x"}});
    CHECK(bob.ws.expect("error")["code"] == "forbidden");
    bob.ws.send(json{{"type", "resolve"}, {"conv", conv}});
    CHECK(bob.ws.expect("error")["code"] == "forbidden");

    alice.ws.send(json{{"type", "note"}, {"conv", conv}, {"text", "Customer is polite"}});
    alice.ws.send(json{{"type", "transfer"}, {"conv", conv}, {"to", "bob"}});
    CHECK(alice.ws.expect("closed")["reason"] == "transferred");
    json to_bob = bob.ws.expect("assigned");
    CHECK(to_bob["conv"] == conv);
    bool saw_note = false;
    for (auto& f : to_bob["history"]) saw_note = saw_note || (f["type"] == "note" && f["text"] == "Customer is polite");
    CHECK(saw_note);
    CHECK(v.ws.expect("assigned")["agent_name"] == "bob");
    bob.say(conv, "Your parcel arrives tomorrow.");
    bob.ws.send(json{{"type", "resolve"}, {"conv", conv}});
    CHECK(bob.ws.expect("closed")["reason"] == "resolved");
    json resolved = v.ws.expect("resolved");
    CHECK(resolved["ask_csat"] == true);
    v.ws.send(json{{"type", "csat"}, {"score", 5}, {"comment", "quick and kind"}});
    CHECK(v.ws.expect("ok")["for"] == "csat");

    // The log reads back through chat-kpi with these numbers.
    json k = kpi_of(shop.dir.path() / "data");
    CHECK(k["conversations"] == 1);
    CHECK(k["handoff_rate"] == 1.0);
    CHECK(k["transfer_rate"] == 1.0);
    CHECK(k["csat"]["count"] == 1);
    CHECK(k["csat"]["mean"] == 5.0);
    CHECK(k["agent_first_response_ms"]["count"] == 1);
    CHECK(k["bot_containment_rate"] == 0.0);
    std::set<std::string> agents;
    for (auto& a : k["agents"]) agents.insert(a["agent"].get<std::string>());
    CHECK(agents == std::set<std::string>{"alice", "bob"});
    // The server's live view gives the very same report as chat-kpi reading the files.
    auto live = http_request(shop.port(), "GET", "/api/kpi", "", {{"Authorization", "Bearer " + login(shop.port(), "mia")}});
    REQUIRE(live.status == 200);
    CHECK(json::parse(live.body) == k);
}

TEST_CASE("assignment respects capacity and language, then the queue moves when an agent frees up") {
    Shop shop({{"frida", "agent", "fr", 1}, {"eric", "agent", "en", 1}});
    AgentClient frida(shop.port(), "frida"), eric(shop.port(), "eric");
    Shopper fr(shop.port(), "?lang=fr");
    fr.say("je veux parler à un conseiller");
    CHECK(fr.ws.expect("assigned")["agent_name"] == "frida");
    const std::string conv = frida.ws.expect("assigned")["conv"];
    Shopper en(shop.port(), "?lang=en");
    en.say("I want to talk to a human");
    CHECK(en.ws.expect("assigned")["agent_name"] == "eric");
    Shopper waiting(shop.port(), "?lang=fr");
    waiting.say("je veux parler à un conseiller");
    CHECK(waiting.ws.expect("queued")["position"] == 1);
    frida.ws.send(json{{"type", "resolve"}, {"conv", conv}});
    CHECK(waiting.ws.expect("assigned")["agent_name"] == "frida");
}

TEST_CASE("a visitor who reconnects resumes with every missed message exactly once") {
    Shop shop({{"alice", "agent", "fr,en", 3}});
    AgentClient alice(shop.port(), "alice");
    std::string token, conv;
    std::uint64_t last_seq = 0;
    {
        Shopper v(shop.port());
        token = v.token();
        v.say("I want to talk to a human");
        json a = v.ws.expect("assigned");
        last_seq = a["seq"];
        conv = alice.ws.expect("assigned")["conv"];
        v.ws.close();
    }
    alice.say(conv, "first while you were away");
    alice.say(conv, "second while you were away");
    WsClient back(shop.port());
    back.expect("welcome");
    back.send(json{{"type", "resume"}, {"token", token}, {"last_seq", last_seq}});
    json w = back.expect("welcome");
    CHECK(w["conv"] == conv);
    CHECK(w["token"] == token);
    std::vector<std::string> texts;
    while (auto f = back.recv(500ms)) {
        json j = json::parse(*f);
        if (j["type"] == "message") texts.push_back(j["text"]);
    }
    CHECK(texts == std::vector<std::string>{"first while you were away", "second while you were away"});
    // A forged token is refused and the connection stays usable.
    std::string forged = token;
    forged.back() = forged.back() == '0' ? '1' : '0';
    back.send(json{{"type", "resume"}, {"token", forged}, {"last_seq", 0}});
    CHECK(back.expect("error")["code"] == "unauthorized");
}

TEST_CASE("/metrics counts the open conversations by stage as they change, and after a restart") {
    Shop shop({{"alice", "agent", "fr,en", 1}});
    // The three gauges, once they read bot/queued/assigned; false after 6 s of other values.
    auto counts = [&](int bot, int queued, int assigned) {
        const std::string want = "chat_conversations{state=\"assigned\"} " + std::to_string(assigned) +
                                 "\nchat_conversations{state=\"bot\"} " + std::to_string(bot) +
                                 "\nchat_conversations{state=\"queued\"} " + std::to_string(queued) + "\n";
        for (int i = 0; i < 60; ++i) {
            if (http_request(shop.port(), "GET", "/metrics").body.find(want) != std::string::npos) return true;
            std::this_thread::sleep_for(100ms);
        }
        return false;
    };
    CHECK(counts(0, 0, 0));
    {
        Shopper a(shop.port());
        a.say("How long does delivery take?");
        CHECK(counts(1, 0, 0));
        Shopper b(shop.port());
        b.say("I want to talk to a human");
        CHECK(b.ws.expect("queued")["position"] == 1);
        CHECK(counts(1, 1, 0));
        AgentClient alice(shop.port(), "alice");
        const std::string conv = alice.ws.expect("assigned")["conv"];
        CHECK(counts(1, 0, 1));
        alice.ws.send(json{{"type", "resolve"}, {"conv", conv}});
        CHECK(counts(1, 0, 0));
        b.say("one more question please");  // reopens it, with the bot
        CHECK(counts(2, 0, 0));
    }
    shop.restart();
    CHECK(counts(2, 0, 0));
}

TEST_CASE("a restarted chatd recovers conversations, queue and assignments from the log") {
    Shop shop({{"alice", "agent", "fr,en", 3}});
    std::string token, conv, queued_token;
    {
        AgentClient alice(shop.port(), "alice");
        Shopper v(shop.port());
        token = v.token();
        v.say("I want to talk to a human");
        conv = alice.ws.expect("assigned")["conv"];
        alice.say(conv, "before the restart");
        alice.ws.send(json{{"type", "status"}, {"status", "away"}});
        alice.ws.expect("status");
        Shopper q(shop.port());
        queued_token = q.token();
        q.say("I want to talk to a human");
        CHECK(q.ws.expect("queued")["position"] == 1);
    }
    shop.restart();
    Shopper again(shop.port(), "?token=" + token);
    CHECK(again.welcome["conv"] == conv);
    CHECK(again.welcome["last_seq"].get<int>() >= 4);
    AgentClient alice(shop.port(), "alice", false);
    REQUIRE(alice.hello["conversations"].size() == 1);
    CHECK(alice.hello["conversations"][0]["conv"] == conv);
    CHECK(alice.hello["status"] == "away");
    // The queued shopper is still in the queue and goes to alice once she is online.
    Shopper q(shop.port(), "?token=" + queued_token);
    CHECK(q.ws.expect("queued")["position"] == 1);
    alice.ws.send(json{{"type", "status"}, {"status", "online"}});
    CHECK(q.ws.expect("assigned")["agent_name"] == "alice");
    // Nothing was duplicated in the log: one conversation.opened per conversation.
    json k = kpi_of(shop.dir.path() / "data");
    CHECK(k["conversations"] == 2);
}

TEST_CASE("agents must log in, then managers only read KPIs") {
    Shop shop({{"alice", "agent", "fr,en", 3}, {"mia", "manager", "fr,en", 3}});
    WsClient anon(shop.port(), "/ws/agent");
    anon.send(json{{"type", "status"}, {"status", "online"}});
    CHECK(anon.expect("error")["code"] == "unauthorized");
    anon.send(json{{"type", "auth"}, {"token", "forged.token"}});
    CHECK(anon.expect("error")["code"] == "unauthorized");
    CHECK(http_request(shop.port(), "GET", "/api/kpi").status == 401);
    CHECK(http_request(shop.port(), "POST", "/api/login", R"({"user":"alice","password":"wrong password"})").status == 401);
    const std::string agent_token = login(shop.port(), "alice");
    CHECK(http_request(shop.port(), "GET", "/api/kpi", "", {{"Authorization", "Bearer " + agent_token}}).status == 403);
    const std::string manager_token = login(shop.port(), "mia");
    auto k = http_request(shop.port(), "GET", "/api/kpi?from=2020-01-01", "", {{"Authorization", "Bearer " + manager_token}});
    CHECK(k.status == 200);
    CHECK(json::parse(k.body).contains("fcr_rate"));
    CHECK(http_request(shop.port(), "GET", "/api/kpi?from=yesterday", "", {{"Authorization", "Bearer " + manager_token}}).status == 400);
    // The login cookie is HttpOnly and SameSite.
    auto r = http_request(shop.port(), "POST", "/api/login", R"({"user":"alice","password":"correct horse 42"})");
    CHECK(r.headers["set-cookie"].find("HttpOnly") != std::string::npos);
    CHECK(r.headers["set-cookie"].find("SameSite=Strict") != std::string::npos);
}

TEST_CASE("a client that does not read is dropped, then everyone else is still served") {
    TempDir cfgdir;
    std::ofstream(cfgdir.path() / "c.json") << R"({"limits":{"outgoing_queue_frames":16,"msgs_per_s":1000000000,"burst":1000000000}})";
    Shop shop({{"alice", "agent", "fr,en", 3}}, {"--config", (cfgdir.path() / "c.json").string()});
    AgentClient alice(shop.port(), "alice");
    Shopper slow(shop.port());
    slow.say("I want to talk to a human");
    const std::string conv = alice.ws.expect("assigned")["conv"];
    // The shopper stops reading; alice's typing indicator floods it (about 20 MB, more than
    // the socket buffers hold).
    const std::string typing = json{{"type", "typing"}, {"conv", conv}, {"on", true}}.dump();
    for (int i = 0; i < 300000; ++i) alice.ws.send(typing);
    int code = 0;
    try {
        while (slow.ws.recv(5s)) {
        }
    } catch (const WsClosed& c) {
        code = c.code;
    }
    CHECK(code == 1008);
    Shopper other(shop.port());
    CHECK(other.say("hello")["seq"] == 1);
    auto metrics = http_request(shop.port(), "GET", "/metrics");
    CHECK(metrics.body.find("chat_connections{role=\"visitor\"}") != std::string::npos);
}

TEST_CASE("the knowledge base reloads on change and on SIGHUP, and a bad one is refused") {
    TempDir dir;
    const auto faq = dir.path() / "faq";
    std::filesystem::copy(source_dir() / "faq", faq, std::filesystem::copy_options::recursive);
    ChatdProcess chatd({"--faq", faq.string()});
    auto metric = [&](const std::string& name) {
        const auto value = chat::test::metric(chatd.port(), name);
        REQUIRE(value);
        return *value;
    };
    auto ask = [&](const std::string& q) {
        Shopper s(chatd.port());
        s.say(q);
        s.ws.expect("message");
        return s.ws.expect("message");
    };
    CHECK(ask("How long does delivery take?")["faq"] == "delivery_time");
    // A broken file: refused, the previous knowledge base keeps answering.
    std::string original;
    {
        std::ifstream in(faq / "en.faq");
        original.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream(faq / "en.faq", std::ios::app) << "\ntopic: \n";
    for (int i = 0; i < 40 && metric("chat_faq_reload_failures_total") == 0; ++i) std::this_thread::sleep_for(100ms);
    CHECK(metric("chat_faq_reload_failures_total") == 1);
    CHECK(chatd.output().find("en.faq:") != std::string::npos);
    CHECK(ask("How long does delivery take?")["faq"] == "delivery_time");
    // Fixed again: picked up.
    std::ofstream(faq / "en.faq", std::ios::trunc) << original;
    for (int i = 0; i < 40 && metric("chat_faq_reloads_total") == 0; ++i) std::this_thread::sleep_for(100ms);
    CHECK(metric("chat_faq_reloads_total") == 1);
    // SIGHUP reloads even without a change.
    ::kill(chatd.pid(), SIGHUP);
    for (int i = 0; i < 40 && metric("chat_faq_reloads_total") == 1; ++i) std::this_thread::sleep_for(100ms);
    CHECK(metric("chat_faq_reloads_total") == 2);
}

TEST_CASE("a bad knowledge base stops start-up with its file, line and reason") {
    TempDir dir;
    const auto faq = dir.path() / "faq";
    std::filesystem::copy(source_dir() / "faq", faq, std::filesystem::copy_options::recursive);
    std::ofstream(faq / "fr.faq", std::ios::app) << "\nthis line means nothing\n";
    auto r = run_program({chatd_path(), "--listen", "127.0.0.1:0", "--data", (dir.path() / "data").string(), "--faq", faq.string()});
    CHECK(r.code == 1);
    CHECK(r.out.find("fr.faq:") != std::string::npos);
}

TEST_CASE("a resolved conversation reopens when the visitor writes again within the window") {
    TempDir cfgdir;
    std::ofstream(cfgdir.path() / "c.json") << R"({"timeouts":{"reopen_window_s":1}})";
    Shop shop({}, {"--config", (cfgdir.path() / "c.json").string()});
    Shopper v(shop.port());
    v.say("How long does delivery take?");
    const std::string conv = v.ws.expect("message")["conv"];
    v.ws.send(json{{"type", "helpful"}, {"value", true}});
    CHECK(v.ws.expect("resolved")["by"] == "bot");
    v.say("And for Belgium?");
    CHECK(v.ws.expect("message")["conv"] == conv);  // same conversation, reopened
    v.ws.send(json{{"type", "resolve"}});
    CHECK(v.ws.expect("resolved")["by"] == "visitor");
    std::this_thread::sleep_for(1200ms);
    v.say("One more thing");
    CHECK(v.ws.expect("message")["conv"] != conv);  // outside the window: a new conversation
    json k = kpi_of(shop.dir.path() / "data");
    CHECK(k["conversations"] == 2);
    CHECK(k["fcr_rate"] == 0.0);  // the first was reopened, and the visitor came back
}

TEST_CASE("a flooding client gets rate_limited and is closed if it goes on") {
    Shop shop;
    Shopper v(shop.port());
    // A short burst over the limit (burst 20, 10/s): refused frames, the socket stays open.
    int limited = 0;
    for (int i = 0; i < 40; ++i) v.ws.send(json{{"type", "typing"}, {"on", true}});
    while (auto f = v.ws.recv(500ms)) limited += json::parse(*f)["code"] == "rate_limited";
    CHECK(limited >= 1);
    std::this_thread::sleep_for(2100ms);  // the bucket refills
    CHECK(v.say("still here")["seq"] == 1);
    // A flood: closed with 1008 (errors still queued for it are dropped with the socket).
    int code = 0;
    try {
        for (int i = 0; i < 200; ++i) v.ws.send(json{{"type", "typing"}, {"on", true}});
        while (v.ws.recv(2s)) {
        }
    } catch (const WsClosed& c) {
        code = c.code;
    }
    CHECK(code == 1008);
    Shopper other(shop.port());
    CHECK(other.say("hello")["seq"] == 1);
}

TEST_CASE("chatd user remove ends the agent's live sessions within 2 s") {
    Shop shop({{"alice", "agent", "fr,en", 3}});
    AgentClient alice(shop.port(), "alice");
    Shopper v(shop.port());
    v.say("I want to talk to a human");
    alice.ws.expect("assigned");
    const std::string token = login(shop.port(), "alice");
    auto r = run_program({chatd_path(), "user", "remove", "alice", "--data", (shop.dir.path() / "data").string()});
    REQUIRE(r.code == 0);
    const auto start = std::chrono::steady_clock::now();  // accounts are re-read every 100 ms
    int code = 0;
    try {
        while (alice.ws.recv(3s)) {
        }
    } catch (const WsClosed& c) {
        code = c.code;
    }
    CHECK(code == 1008);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    // Her conversation went back to the queue; her session token no longer works.
    CHECK(v.ws.expect("queued")["position"] == 1);
    CHECK(http_request(shop.port(), "GET", "/api/me", "", {{"Authorization", "Bearer " + token}}).status == 401);
    CHECK_THROWS(login(shop.port(), "alice"));
}

TEST_CASE("a closed conversation's history, left to the log, is served the same: transcript, resume, restart, reopening") {
    TempDir cfgdir;
    std::ofstream(cfgdir.path() / "c.json") << R"({"timeouts":{"history_kept_s":2}})";
    const std::vector<std::string> args{"--config", (cfgdir.path() / "c.json").string()};
    Shop shop({{"alice", "agent", "fr,en", 3}, {"mia", "manager", "fr,en", 3}}, args);
    const WsClient::Headers manager{{"Authorization", "Bearer " + login(shop.port(), "mia")}};
    auto transcript = [&](const std::string& conv) {
        auto r = http_request(shop.port(), "GET", "/api/conversations/" + conv, "", manager);
        REQUIRE(r.status == 200);
        return json::parse(r.body)["history"];
    };
    // Waits until /metrics says `n` histories are read from the log.
    auto in_log = [&](int n) {
        const std::string want = "chat_histories{where=\"log\"} " + std::to_string(n) + "\n";
        for (int i = 0; i < 60; ++i) {
            if (http_request(shop.port(), "GET", "/metrics").body.find(want) != std::string::npos) return true;
            std::this_thread::sleep_for(100ms);
        }
        return false;
    };
    std::string conv, token;
    json before;
    {
        AgentClient alice(shop.port(), "alice");
        Shopper v(shop.port());
        token = v.token();
        v.say("How long does delivery take?");
        v.say("I want to talk to a human");
        conv = alice.ws.expect("assigned")["conv"];
        alice.say(conv, "Hello from Alice");
        alice.ws.send(json{{"type", "resolve"}, {"conv", conv}});
        CHECK(v.ws.expect("resolved")["by"] == "agent");
        before = transcript(conv);  // still in memory: kept 2 s after the resolution
    }
    REQUIRE(before.size() == 7);  // visitor, bot, visitor, bot, assigned, agent, resolved
    REQUIRE(in_log(1));
    CHECK(transcript(conv) == before);

    // A widget that lost its state resumes from 0: every frame the visitor may see, in order.
    auto resume_all = [&] { return resumed_frames(shop.port(), token, 0, conv); };
    CHECK(resume_all() == before);

    // After a restart the replay leaves it to the log again, and it reads back the same.
    shop.restart(args);
    REQUIRE(in_log(1));
    CHECK(transcript(conv) == before);
    CHECK(resume_all() == before);

    // The visitor writes again: the conversation reopens with its whole history in memory, and
    // the agent it goes to sees all of it.
    AgentClient alice(shop.port(), "alice");
    Shopper v(shop.port(), "?token=" + token);
    v.next_id = 10;  // its client ids so far were m1 and m2: a resend of those is only acked
    v.say("I want to talk to a human");
    json assigned = alice.ws.expect("assigned");
    CHECK(assigned["conv"] == conv);
    REQUIRE(assigned["history"].size() > before.size());
    for (std::size_t i = 0; i < before.size(); ++i) CHECK(assigned["history"][i] == before[i]);
    CHECK(in_log(0));
}

TEST_CASE("a long open conversation's oldest frames, left to the log, come back for the transcript, a resume, a transfer, a restart") {
    TempDir cfgdir;
    std::ofstream(cfgdir.path() / "c.json") << R"({"limits":{"history_frames":2}})";
    const std::vector<std::string> args{"--config", (cfgdir.path() / "c.json").string()};
    Shop shop({{"alice", "agent", "fr,en", 3}, {"bob", "agent", "fr,en", 3}, {"mia", "manager", "fr,en", 3}}, args);
    const WsClient::Headers manager{{"Authorization", "Bearer " + login(shop.port(), "mia")}};
    auto transcript = [&](const std::string& conv) {
        auto r = http_request(shop.port(), "GET", "/api/conversations/" + conv, "", manager);
        REQUIRE(r.status == 200);
        return json::parse(r.body)["history"];
    };
    std::string conv, token;
    {
        AgentClient alice(shop.port(), "alice");
        Shopper v(shop.port());
        token = v.token();
        v.say("I want to talk to a human");
        conv = alice.ws.expect("assigned")["conv"];
        // Each side also gets its own messages back: the next from the other side, by author.
        auto next_from = [](WsClient& ws, const char* author) {
            for (;;)
                if (json m = ws.expect("message"); m["author"] == author) return m["text"];
        };
        for (int i = 0; i < 8; ++i) {
            v.say("question " + std::to_string(i));
            CHECK(next_from(alice.ws, "visitor") == "question " + std::to_string(i));
            alice.say(conv, "answer " + std::to_string(i));
            CHECK(next_from(v.ws, "agent") == "answer " + std::to_string(i));
        }
        // Its history, far past 2 × 2 frames: every frame, seqs 1, 2, 3..., in order.
        const json h = transcript(conv);
        REQUIRE(h.size() == 19);  // visitor, bot, assigned, then 8 × (visitor, agent)
        for (std::size_t i = 0; i < h.size(); ++i) CHECK(h[i]["seq"] == i + 1);
        for (int i = 0; i < 8; ++i) {
            CHECK(h[3 + 2 * i]["text"] == "question " + std::to_string(i));
            CHECK(h[4 + 2 * i]["text"] == "answer " + std::to_string(i));
        }

        // A widget that lost its state resumes from 0, one that did not from its last seq.
        CHECK(resumed_frames(shop.port(), token, 0, conv) == h);
        CHECK(resumed_frames(shop.port(), token, 17, conv) == json::array({h[17], h[18]}));

        // The agent it is transferred to sees all of it.
        AgentClient bob(shop.port(), "bob");
        alice.ws.send(json{{"type", "transfer"}, {"conv", conv}, {"to", "bob"}});
        json to_bob = bob.ws.expect("assigned");
        CHECK(to_bob["conv"] == conv);
        REQUIRE(to_bob["history"].size() == 20);  // + assigned to bob
        for (std::size_t i = 0; i < h.size(); ++i) CHECK(to_bob["history"][i] == h[i]);
    }
    const json before = transcript(conv);
    shop.restart(args);
    CHECK(transcript(conv) == before);
}

TEST_CASE("a logged line that is JSON but no readable event is skipped at start-up, and everything else replayed") {
    Shop shop;
    std::string token, conv;
    {
        Shopper v(shop.port());
        token = v.token();
        v.say("How long does delivery take?");
        conv = v.ws.expect("message")["conv"];
    }
    REQUIRE(shop.chatd->stop(SIGTERM, std::chrono::seconds(3)) == 0);
    // A line with a seq (so the writer's recovery keeps it) whose fields have the wrong types.
    std::filesystem::path segment;
    for (const auto& f : std::filesystem::directory_iterator(shop.dir.path() / "data"))
        if (f.path().extension() == ".jsonl") segment = f.path();
    REQUIRE_FALSE(segment.empty());
    std::uint64_t seq = 0;
    {
        std::ifstream in(segment);
        for (std::string line; std::getline(in, line);) seq = std::max<std::uint64_t>(seq, json::parse(line)["seq"]);
    }
    std::ofstream(segment, std::ios::app) << json{{"v", 1}, {"seq", seq + 1}, {"ts", "yesterday"}, {"node", "x"},
                                                  {"type", "message"}, {"conv", conv}, {"author", 7}}.dump()
                                          << "\n";
    shop.chatd.reset();
    shop.chatd.emplace(std::vector<std::string>{}, shop.dir.path() / "data");
    CHECK(shop.chatd->output().find("1 unreadable log lines skipped") != std::string::npos);
    Shopper again(shop.port(), "?token=" + token);
    CHECK(again.welcome["conv"] == conv);
    CHECK(again.welcome["last_seq"] == 2);  // the question and the bot's answer
}
