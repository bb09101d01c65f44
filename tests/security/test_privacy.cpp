// Privacy against the real chatd: `chatd visitor export` and `chatd visitor erase` with the
// server running and stopped, what the running server still serves afterwards, the KPIs
// after an erasure, retention, audit events, and the commands' usage errors.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "security_support.hpp"

using namespace chat::test;
using nlohmann::json;

namespace {
json kpi_json(const std::filesystem::path& data, std::string* warnings = nullptr) {
    auto r = run_program({(std::filesystem::path(chatd_path()).parent_path() / "chat-kpi").string(), "--json", data.string()});
    REQUIRE(r.code == 0);
    const auto brace = r.out.find('{');
    if (warnings) *warnings = r.out.substr(0, brace);
    return json::parse(r.out.substr(brace));
}
json visible_history(unsigned short port, const std::string& token, const std::string& conv) {
    auto r = http_request(port, "GET", "/api/conversations/" + conv, "", {{"Authorization", "Bearer " + token}});
    REQUIRE(r.status == 200);
    return json::parse(r.body)["history"];
}
std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}
}  // namespace

TEST_CASE("erase with chatd running: texts gone from every file and from what chatd serves, KPIs unchanged") {
    SecureShop shop("", {{"alice", "agent"}, {"mia", "manager"}});
    AgentClient alice(shop.port(), "alice");
    // The visitor to erase: a bot answer, a handoff, an agent, a note, a CSAT comment.
    Shopper gone(shop.port());
    gone.say("How long does delivery take to Zanzibar-ERASE-ME?");
    gone.say("I want to talk to a human, my name is Rosalind-ERASE-ME");
    const std::string conv = alice.ws.expect("assigned")["conv"];
    alice.say(conv, "Hello Rosalind-ERASE-ME, let me check");
    alice.ws.send(json{{"type", "note"}, {"conv", conv}, {"text", "lives at 1 Quiet Street ERASE-ME"}});
    alice.ws.send(json{{"type", "resolve"}, {"conv", conv}});
    gone.ws.expect("resolved");
    gone.ws.send(json{{"type", "csat"}, {"score", 4}, {"comment", "thanks, call me on 0612-ERASE-ME"}});
    CHECK(gone.ws.expect("ok")["for"] == "csat");
    // Another visitor whose history must stay whole.
    Shopper stays(shop.port());
    stays.say("Do you ship to Belgium-KEEP-ME?");
    std::this_thread::sleep_for(300ms);
    const std::string visitor = gone.welcome["visitor"];
    const std::string mia = login(shop.port(), "mia");
    const json before = kpi_json(shop.data());
    REQUIRE(count(shop.all_bytes(), "ERASE-ME") >= 5);

    auto r = shop.cli({"visitor", "erase", visitor});
    REQUIRE(r.code == 0);
    const json out = json::parse(r.out);
    CHECK(out["conversations"] == 1);
    CHECK(out["texts_erased"].get<int>() >= 6);

    // The visitor's live connection is closed at once; their token no longer opens anything.
    int code = 0;
    try {
        while (gone.ws.recv(2s)) {
        }
    } catch (const WsClosed& c) {
        code = c.code;
    }
    CHECK(code == 1008);
    std::this_thread::sleep_for(300ms);
    Shopper back(shop.port(), "?lang=en&token=" + gone.token());
    CHECK(back.welcome["visitor"] != visitor);
    back.ws.send(json{{"type", "resume"}, {"token", gone.token()}, {"last_seq", 0}});
    CHECK(back.ws.expect("error")["code"] == "unauthorized");

    // Nothing readable remains under --data, the running server serves no erased text, and
    // the other visitor's history is intact.
    const std::string bytes = shop.all_bytes();
    CHECK(count(bytes, "ERASE-ME") == 0);
    CHECK(count(bytes, "KEEP-ME") >= 1);
    const json history = visible_history(shop.port(), mia, conv);
    REQUIRE(history.size() >= 4);
    for (const auto& f : history)
        if (f.contains("text")) CHECK(f["text"].is_null());
    CHECK(history.dump().find("ERASE-ME") == std::string::npos);

    // Every other field is still there: the KPIs are the same, from files and live.
    std::string warnings;
    const json after = kpi_json(shop.data(), &warnings);
    CHECK(after["conversations"] == before["conversations"]);
    CHECK(after["csat"] == before["csat"]);
    CHECK(after["first_response_ms"] == before["first_response_ms"]);
    CHECK(after["agent_first_response_ms"] == before["agent_first_response_ms"]);
    CHECK(after["handoff_rate"] == before["handoff_rate"]);
    INFO(warnings);
    CHECK(warnings.find("warning") == std::string::npos);  // audit events are read quietly
    // The live view is rebuilt from the blanked log within a moment.
    HttpReply live;
    for (int i = 0; i < 30; ++i) {
        live = http_request(shop.port(), "GET", "/api/kpi", "", {{"Authorization", "Bearer " + mia}});
        if (live.status == 200 && json::parse(live.body) == after) break;
        std::this_thread::sleep_for(100ms);
    }
    REQUIRE(live.status == 200);
    CHECK(json::parse(live.body) == after);
    CHECK(live.body.find("ERASE-ME") == std::string::npos);

    // Export after erase: the events are there, the texts are null, and it says so.
    auto ex = shop.cli({"visitor", "export", visitor});
    REQUIRE(ex.code == 0);
    const json doc = json::parse(ex.out);
    CHECK(doc["visitor"] == visitor);
    CHECK(doc["erased"] == true);
    CHECK(doc["conversations"] == json::array({conv}));
    CHECK(doc["events"].size() >= 8);
    CHECK(ex.out.find("ERASE-ME") == std::string::npos);
    // Both commands are audited in the log, appended by the running chatd.
    std::set<std::string> actions;
    eventually([&] {
        actions.clear();
        for (const auto& e : shop.events())
            if (e["type"] == "audit" && e.value("target", "") == visitor) actions.insert(e["action"].get<std::string>());
        return actions.size() == 2;
    });
    CHECK(actions == std::set<std::string>{"visitor.erase", "visitor.export"});
    std::set<std::string> agent_actions;
    for (const auto& e : shop.events())
        if (e["type"] == "audit" && e["actor"] == "alice") agent_actions.insert(e["action"].get<std::string>());
    CHECK(agent_actions.count("login"));
    CHECK(agent_actions.count("resolve"));
}

TEST_CASE("export before erase holds everything about the visitor and nothing about others") {
    SecureShop shop;
    Shopper a(shop.port());
    a.say("I want to talk to a human");
    a.ws.send(json{{"type", "offline_message"}, {"email", "ada@example.com"}, {"text", "Please call me back"}});
    CHECK(a.ws.expect("ok")["for"] == "offline_message");
    Shopper b(shop.port());
    b.say("someone else's question");
    std::this_thread::sleep_for(200ms);
    auto ex = shop.cli({"visitor", "export", a.welcome["visitor"]});
    REQUIRE(ex.code == 0);
    const json doc = json::parse(ex.out);
    CHECK(doc["erased"] == false);
    CHECK(ex.out.find("I want to talk to a human") != std::string::npos);
    CHECK(ex.out.find("ada@example.com") != std::string::npos);
    CHECK(ex.out.find("someone else's question") == std::string::npos);
    for (const auto& e : doc["events"]) CHECK((e.contains("conv") || e.contains("visitor") || e.contains("target")));

    // Erase it, then the e-mail address and the offline text are gone too.
    REQUIRE(shop.cli({"visitor", "erase", a.welcome["visitor"]}).code == 0);
    const std::string bytes = shop.all_bytes();
    CHECK(bytes.find("ada@example.com") == std::string::npos);
    CHECK(bytes.find("Please call me back") == std::string::npos);
    CHECK(bytes.find("someone else's question") != std::string::npos);
}

TEST_CASE("erase with chatd stopped: the next chatd serves nothing of it and the audit is in the log") {
    SecureShop shop("", {{"mia", "manager"}});
    Shopper a(shop.port());
    a.say("my secret is Quagga-7731");
    const std::string visitor = a.welcome["visitor"];
    std::this_thread::sleep_for(200ms);
    a.ws.close();
    shop.stop();
    auto r = shop.cli({"visitor", "erase", visitor});
    REQUIRE(r.code == 0);
    CHECK(json::parse(r.out)["texts_erased"].get<int>() >= 2);
    CHECK(shop.all_bytes().find("Quagga-7731") == std::string::npos);
    // Erasing twice is harmless and says nothing more was erased.
    auto again = shop.cli({"visitor", "erase", visitor});
    REQUIRE(again.code == 0);
    CHECK(json::parse(again.out)["texts_erased"] == 0);
    shop.start();
    bool audited = false;
    for (const auto& e : shop.events()) audited = audited || (e["type"] == "audit" && e["action"] == "visitor.erase" && e["target"] == visitor);
    CHECK(audited);
    Shopper back(shop.port(), "?lang=en&token=" + a.token());
    CHECK(back.welcome["visitor"] != visitor);
}

TEST_CASE("retention erases texts older than retention-days, and only those") {
    SecureShop shop;
    Shopper a(shop.port());
    a.say("a recent question Recent-1234");
    std::this_thread::sleep_for(200ms);
    shop.stop();
    // An old segment of another node, 40 days ago.
    const std::int64_t old = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 std::chrono::system_clock::now().time_since_epoch()).count() - 40LL * 86'400'000;
    {
        std::ofstream seg(shop.data() / "events-oldnode-1.jsonl");
        seg << json{{"v", 1}, {"ts", old}, {"node", "oldnode"}, {"seq", 1}, {"type", "conversation.opened"}, {"conv", "c-old"}, {"visitor", "vold"}, {"lang", "en"}}.dump() << '\n';
        seg << json{{"v", 1}, {"ts", old + 1}, {"node", "oldnode"}, {"seq", 2}, {"type", "message"}, {"conv", "c-old"}, {"msg", "m1"}, {"author", "visitor"}, {"text", "Ancient-5678 question"}}.dump() << '\n';
    }
    const json before = kpi_json(shop.data());
    shop.start({"--retention-days", "30"});
    auto audited = [&] {
        for (const auto& e : shop.events())
            if (e["type"] == "audit" && e["action"] == "retention.erase") return true;
        return false;
    };
    CHECK(eventually(audited));
    const std::string bytes = shop.all_bytes();
    CHECK(bytes.find("Ancient-5678") == std::string::npos);
    CHECK(bytes.find("Recent-1234") != std::string::npos);
    CHECK(kpi_json(shop.data())["conversations"] == before["conversations"]);
    CHECK(run_program({chatd_path(), "--retention-days", "-1"}).code == 2);
}

TEST_CASE("chatd visitor: usage errors exit 2 naming the fault, runtime failures exit 1") {
    TempDir dir;
    auto run = [&](std::vector<std::string> args) {
        args.insert(args.begin(), chatd_path());
        return run_program(args);
    };
    auto r = run({"visitor"});
    CHECK(r.code == 2);
    CHECK(r.out.find("subcommand") != std::string::npos);
    CHECK(run({"visitor", "forget", "v1"}).code == 2);
    r = run({"visitor", "erase"});
    CHECK(r.code == 2);
    CHECK(r.out.find("ID") != std::string::npos);
    r = run({"visitor", "erase", "../../etc/passwd", "--data", dir.path().string()});
    CHECK(r.code == 2);
    CHECK(r.out.find("not a visitor id") != std::string::npos);
    r = run({"visitor", "export", "v1", "--colour", "red"});
    CHECK(r.code == 2);
    CHECK(r.out.find("--colour") != std::string::npos);
    r = run({"visitor", "export", "v1", "--data", (dir.path() / "nowhere").string()});
    CHECK(r.code == 1);
    CHECK(r.out.find("nowhere") != std::string::npos);
    CHECK(run({"visitor", "--help"}).code == 0);
    // An unknown visitor: nothing held, nothing erased, not an error.
    std::filesystem::create_directories(dir.path() / "d");
    r = run({"visitor", "export", "vnobody", "--data", (dir.path() / "d").string()});
    CHECK(r.code == 0);
    CHECK(json::parse(r.out)["events"].empty());
}
