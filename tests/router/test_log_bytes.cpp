// Log line and frame bytes: a scripted day of conversations (bot answers with suggestions,
// quick replies, fallbacks, handoff, agents, notes, tags, transfer, resolution, CSAT, NPS,
// reopening, offline messages, purchases, abandonment, texts with quotes, escapes, accents,
// emoji and bytes that are not UTF-8) must give exactly the log lines and client frames in
// tests/router/golden/day.txt. The log is a public format and clients parse the frames: a
// change of writer (how events are built, applied and serialised) must not move one byte.
// The lines are also replayed into a fresh router, which must rebuild the same histories, and
// the KPI engine fed the typed messages and lifecycle events directly (as the server does) reports exactly what it
// reports from the lines.
//
// CHAT_WRITE_GOLDEN=1 rewrites the file from the current code (only for an intended change of
// format, reviewed in the diff).
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "engine.hpp"
#include "json_out.hpp"
#include "kpi_feed.hpp"
#include "router_fixture.hpp"

using namespace chat::test;
using To = chat::router::Send::To;

namespace {

const char* to_name(To t) {
    switch (t) {
    case To::session: return "session";
    case To::visitor: return "visitor";
    case To::agent: return "agent";
    case To::all_agents: return "all_agents";
    }
    return "?";
}

// Drives a router as the core does and writes down every line and frame it produces.
struct Day {
    chat::router::RouterConfig cfg = [] {
        chat::router::RouterConfig c;
        c.node = "n1";
        c.reopen_window_ms = 60'000;
        return c;
    }();
    chat::router::Router r{cfg, real_bot()};
    std::int64_t now = 1'700'000'000'000;
    std::uint64_t seq = 0;
    std::vector<std::string> lines;
    std::ostringstream out;
    chat::kpi::Engine parsed, fed;
    int fed_typed = 0;

    void take(Effects fx) {
        for (const auto& e : fx.events) {
            lines.push_back(e.log_line(cfg.node, ++seq));
            // A typed event's line is its JSON object's line (what the cluster journal keeps).
            if (e.message() || e.conv_event()) CHECK(lines.back() == chat::router::log_line(e.as_json(), cfg.node, seq));
            parsed.add_line(lines.back());
            std::optional<chat::kpi::Event> typed;
            if (const auto* m = e.message()) typed = chat::router::kpi_event(*m, cfg.node, seq);
            else if (const auto* c = e.conv_event()) typed = chat::router::kpi_event(*c, cfg.node, seq);
            if (typed) {
                CHECK(fed.add(*typed) == chat::kpi::AddResult::used);
                ++fed_typed;
            } else {
                fed.add_line(lines.back());
            }
            out << "line " << lines.back() << "\n";
        }
        for (const auto* list : {&fx.now, &fx.on_durable})
            for (const auto& s : *list)
                out << (list == &fx.now ? "now " : "durable ") << to_name(s.to) << " " << s.id << " " << s.session << " "
                    << s.frame << "\n";
        now += 1'234;
    }
    void say(const std::string& visitor, const std::string& text, const std::string& cid, chat::router::SessionId s,
             const std::string& lang = "", json extra = json::object()) {
        json f{{"type", "message"}, {"text", text}, {"client_id", cid}};
        f.update(extra);
        take(r.visitor_frame(s, visitor, f, lang, "/p?q=\"x\"", now));
    }
    void visitor(const std::string& visitor, json frame, chat::router::SessionId s) {
        take(r.visitor_frame(s, visitor, frame, "", "", now));
    }
    void agent(const std::string& agent, json frame, chat::router::SessionId s) { take(r.agent_frame(s, agent, frame, now)); }
    void online(const std::string& who, chat::router::SessionId s, std::vector<std::string> langs = {"fr", "en"}) {
        r.set_agent_profile(who, {langs, 2});
        take(r.agent_connected(s, who, now));
        agent(who, json{{"type", "status"}, {"status", "online"}}, s);
    }
    std::string current(const std::string& visitor) { return r.state().visitors.at(visitor).current; }
};

std::string golden_path() { return std::string(CHAT_TEST_DIR) + "/router/golden/day.txt"; }

}  // namespace

TEST_CASE("a scripted day gives exactly the golden log lines and frames, and replays to the same histories") {
    Day d;
    // Bot conversations: answers with suggestions, a quick reply, fallbacks, helpful yes and no.
    d.say("v1", "Bonjour, où en est ma commande ? \"LUM-1234\" \\ merci 😀", "c1", 1, "fr",
          json{{"user_agent", "Mozilla/5.0 \"test\""}, {"referrer", "https://shop.example/é"}});
    d.say("v1", "et la livraison\nen Belgique ?", "c2", 1);
    d.say("v1", "les frais de retour", "c3", 1, "", json{{"faq", "returns"}});
    d.say("v1", "c2 resent", "c2", 1);  // a resend: the original ack, nothing logged
    d.visitor("v1", json{{"type", "helpful"}, {"value", false}}, 1);
    d.visitor("v1", json{{"type", "helpful"}, {"value", true}}, 1);
    d.visitor("v1", json{{"type", "csat"}, {"score", 4}, {"comment", "très bien \u0001 merci"}}, 1);
    d.visitor("v1", json{{"type", "nps"}, {"score", 9}}, 1);
    d.say("v2", "blorp zzkx qwv", "a", 2, "en");
    d.say("v2", "frobnicate the wibble", "b", 2);
    d.say("v2", std::string("broken \xff\xc3 bytes\t\x1f end"), "c", 2);
    d.visitor("v2", json{{"type", "track"}, {"event", "purchase"}, {"value", 49.9}, {"currency", "EUR"}, {"order", "o-1"}}, 2);
    d.visitor("v2", json{{"type", "track"}, {"event", "purchase"}, {"value", 12}, {"currency", "EUR"}}, 2);
    // Reopening within the window, then a resolution by the visitor.
    d.say("v1", "one more question about delivery times", "c4", 1);
    d.visitor("v1", json{{"type", "resolve"}}, 1);
    // Handoff to agents: queue, assignment, replies both ways, typing, notes, tags, transfer.
    d.say("v3", "I want to talk to a human", "h1", 3, "en");
    d.visitor("v3", json{{"type", "offline_message"}, {"email", "v3@example.com"}, {"text", "call me \"later\""}}, 3);
    d.online("alice", 100);
    const std::string c3 = d.current("v3");
    d.agent("alice", json{{"type", "message"}, {"conv", c3}, {"text", "Bonjour, je suis Alice — à votre écoute"}, {"client_id", "a1"}}, 100);
    d.say("v3", "My order LUM-1234 is late", "h2", 3);
    d.visitor("v3", json{{"type", "typing"}, {"on", true}}, 3);
    d.agent("alice", json{{"type", "note"}, {"conv", c3}, {"text", "VIP \"customer\""}}, 100);
    d.agent("alice", json{{"type", "tag"}, {"conv", c3}, {"tag", "vip"}}, 100);
    d.online("bob", 200);
    d.agent("alice", json{{"type", "transfer"}, {"conv", c3}, {"to", "bob"}}, 100);
    d.agent("bob", json{{"type", "message"}, {"conv", c3}, {"text", "Bob here"}, {"client_id", "b1"}}, 200);
    d.agent("bob", json{{"type", "message"}, {"conv", c3}, {"text", "Bob here"}, {"client_id", "b1"}}, 200);  // resend
    d.agent("bob", json{{"type", "resolve"}, {"conv", c3}}, 200);
    d.visitor("v3", json{{"type", "csat"}, {"score", 5}}, 3);
    // A French handoff by complaint, errors, then abandonment by time.
    d.say("v4", "je suis très mécontent, c'est inadmissible, je veux un conseiller", "f1", 4, "fr");
    d.visitor("v4", json{{"type", "csat"}, {"score", 9}}, 4);
    d.visitor("v4", json{{"type", "nope"}}, 4);
    d.say("v5", "hello", "x1", 5, "en");
    d.r.visitor_disconnected(5, "v5", d.now);
    d.take(d.r.agent_disconnected(100, "alice", d.now));
    d.take(d.r.agent_disconnected(200, "bob", d.now));
    d.now += 3LL * 3600 * 1000;
    d.take(d.r.tick(d.now));
    if (auto q = d.r.take_queue_update()) d.out << "queue " << *q << "\n";

    const std::string got = d.out.str();
    if (std::getenv("CHAT_WRITE_GOLDEN")) {
        std::ofstream(golden_path(), std::ios::binary) << got;
        WARN("wrote " << golden_path());
    }
    std::ifstream in(golden_path(), std::ios::binary);
    REQUIRE(in);
    std::stringstream want;
    want << in.rdbuf();
    // Line by line, so that a failure shows the first line that moved.
    std::istringstream a(got), b(want.str());
    std::string la, lb;
    int n = 0;
    while (true) {
        const bool ga = static_cast<bool>(std::getline(a, la)), gb = static_cast<bool>(std::getline(b, lb));
        if (!ga && !gb) break;
        ++n;
        INFO("golden line " << n);
        REQUIRE(ga == gb);
        REQUIRE(la == lb);
    }
    CHECK(d.lines.size() > 40);

    // Live KPIs: the same report whether the typed messages were parsed back or fed as fields.
    CHECK(d.fed_typed > 20);
    const auto report = [](chat::kpi::Engine& e) { return chat::kpi::to_json(e.report({})).dump(2); };
    CHECK(report(d.fed) == report(d.parsed));

    // The same lines, replayed: every conversation's history comes back byte for byte.
    chat::router::Router fresh(d.cfg, real_bot());
    for (const auto& l : d.lines) fresh.apply(json::parse(l));
    for (const auto& [id, c] : d.r.state().conversations) {
        INFO(id);
        const auto& f = fresh.state().conversations.at(id);
        REQUIRE(c.history.size() == f.history.size());
        for (std::size_t i = 0; i < c.history.size(); ++i) CHECK(c.history[i].frame == f.history[i].frame);
        CHECK(c.stage == f.stage);
        CHECK(c.last_bot_outcome == f.last_bot_outcome);
        CHECK(c.fallback_streak == f.fallback_streak);
    }
}
