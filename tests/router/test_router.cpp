// Router tests: conversations, the bot's turn, handoff, queue, routing by capacity and
// language, agents' actions and rights, resolution, reopen, CSAT, timers. Pure and fast.
#include "router_fixture.hpp"

using namespace chat::test;
using chat::router::Stage;
using To = chat::router::Send::To;

TEST_CASE("a visitor's first message opens a conversation and the bot answers") {
    Bench b;
    auto fx = b.say("v1", "Bonjour, où en est ma commande ?", "c1", 1, "fr");
    auto opened = events_of(fx, "conversation.opened");
    REQUIRE(opened.size() == 1);
    CHECK(opened[0]["visitor"] == "v1");
    CHECK(opened[0]["lang"] == "fr");
    CHECK(opened[0]["page"] == "/p");
    auto msgs = events_of(fx, "message");
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0]["author"] == "visitor");
    CHECK(msgs[0]["client_id"] == "c1");
    CHECK(msgs[1]["author"] == "bot");
    CHECK(msgs[1]["faq"] == "order_tracking");
    CHECK(msgs[1]["outcome"] == "answer");
    CHECK(msgs[1]["score"].get<double>() > 0);
    // The ack waits for durability and carries the conversation seq of the message.
    auto acks = frames_to(fx, To::session, "", "ack", 1);
    REQUIRE(acks.size() == 1);
    CHECK(acks[0]["client_id"] == "c1");
    CHECK(acks[0]["seq"] == 1);
    CHECK(fx.now.empty());
    auto replies = frames_to(fx, To::visitor, "v1", "message");
    REQUIRE(replies.size() == 2);
    CHECK(replies[1]["author"] == "bot");
    CHECK(replies[1]["seq"] == 2);
    CHECK(replies[1]["faq"] == "order_tracking");
    CHECK(replies[1]["suggestions"].is_array());
    // Message frames carry the event's millisecond time, whole (not cut to 32 bits).
    CHECK(replies[1]["ts"].get<std::int64_t>() == msgs[1]["ts"].get<std::int64_t>());
    CHECK(replies[1]["ts"].get<std::int64_t>() == b.now);
    CHECK(b.conv(b.current("v1")).stage == Stage::bot);
}

TEST_CASE("a resent client_id is acknowledged again, never logged twice") {
    Bench b;
    auto first = b.say("v1", "where is my order?", "same-id");
    auto ack1 = frames_to(first, To::session, "", "ack", 1).at(0);
    auto again = b.say("v1", "where is my order?", "same-id");
    CHECK(again.events.empty());
    auto ack2 = frames_to(again, To::session, "", "ack", 1);
    REQUIRE(ack2.size() == 1);
    CHECK(ack2[0] == ack1);
}

TEST_CASE("bad visitor frames are refused with the spec's codes") {
    Bench b;
    auto no_cid = b.visitor("v1", json{{"type", "message"}, {"text", "hi"}});
    CHECK(no_cid.events.empty());
    CHECK(frames_to(no_cid, To::session, "", "error", 1).at(0)["code"] == "bad_request");
    auto blank = b.say("v1", "   ", "c1");
    CHECK(frames_to(blank, To::session, "", "error", 1).at(0)["code"] == "bad_request");
    auto csat = b.visitor("v1", json{{"type", "csat"}, {"score", 9}});
    CHECK(frames_to(csat, To::session, "", "error", 1).at(0)["code"] == "bad_request");
    // A score that only looks like 1..5 once cut to 32 bits is refused, not logged.
    for (json score : {json(4294967299LL), json(-4294967293LL), json(3.5), json("4")}) {
        auto big = b.visitor("v1", json{{"type", "csat"}, {"score", score}});
        INFO("score " << score.dump());
        CHECK(big.events.empty());
        CHECK(frames_to(big, To::session, "", "error", 1).at(0)["code"] == "bad_request");
        auto nps = b.visitor("v1", json{{"type", "nps"}, {"score", score}});
        CHECK(nps.events.empty());
        CHECK(frames_to(nps, To::session, "", "error", 1).at(0)["code"] == "bad_request");
    }
    auto unknown = b.visitor("v1", json{{"type", "teleport"}});
    CHECK(frames_to(unknown, To::session, "", "error", 1).at(0)["code"] == "bad_request");
}

TEST_CASE("asking for a person with nobody online queues and offers the offline form") {
    Bench b;
    b.say("v1", "hello", "c1");
    auto fx = b.visitor("v1", json{{"type", "handoff"}});
    auto h = events_of(fx, "handoff.requested");
    REQUIRE(h.size() == 1);
    CHECK(h[0]["reason"] == "visitor_asked");
    CHECK(b.conv(b.current("v1")).stage == Stage::queued);
    CHECK(frames_to(fx, To::visitor, "v1", "queued").at(0)["position"] == 1);
    CHECK(frames_to(fx, To::visitor, "v1", "no_agent").size() == 1);
    auto off = b.visitor("v1", json{{"type", "offline_message"}, {"email", "ana@example.com"}, {"text", "Call me back"}});
    auto om = events_of(off, "offline.message");
    REQUIRE(om.size() == 1);
    CHECK(om[0]["email"] == "ana@example.com");
    CHECK(om[0]["visitor"] == "v1");
    auto bad = b.visitor("v1", json{{"type", "offline_message"}, {"email", "nope"}, {"text", "x"}});
    CHECK(bad.events.empty());
}

TEST_CASE("the bot hands off when the visitor asks for a human in words") {
    Bench b;
    auto fx = b.say("v1", "je veux parler à un conseiller", "c1", 1, "fr");
    auto bot = events_of(fx, "message").at(1);
    CHECK(bot["outcome"] == "handoff");
    CHECK(bot["faq"].is_null());
    auto h = events_of(fx, "handoff.requested");
    REQUIRE(h.size() == 1);
    CHECK(h[0]["reason"] == "visitor_asked");
}

TEST_CASE("a queued conversation goes to the agent who comes online, with its history") {
    Bench b;
    b.say("v1", "I want to talk to a human", "c1", 1, "en");
    const std::string conv = b.current("v1");
    REQUIRE(b.conv(conv).stage == Stage::queued);
    auto fx = b.online("alice");
    auto assigned = events_of(fx, "conversation.assigned");
    REQUIRE(assigned.size() == 1);
    CHECK(assigned[0]["agent"] == "alice");
    CHECK(assigned[0]["by"] == "auto");
    auto to_agent = frames_to(fx, To::agent, "alice", "assigned");
    REQUIRE(to_agent.size() == 1);
    CHECK(to_agent[0]["conv"] == conv);
    CHECK(to_agent[0]["visitor"]["id"] == "v1");
    CHECK(to_agent[0]["visitor"]["lang"] == "en");
    CHECK(to_agent[0]["history"].size() >= 2);
    auto to_visitor = frames_to(fx, To::visitor, "v1", "assigned");
    REQUIRE(to_visitor.size() == 1);
    CHECK(to_visitor[0]["agent_name"] == "alice");
}

TEST_CASE("routing respects capacity and pushes queue positions when they change") {
    Bench b;
    b.online("alice", {"fr", "en"}, 1);
    b.say("v1", "I want to talk to a human", "c1", 1);
    b.say("v2", "I want to talk to a human", "c1", 2);
    auto fx3 = b.say("v3", "I want to talk to a human", "c1", 3);
    CHECK(b.conv(b.current("v1")).agent == "alice");
    CHECK(b.conv(b.current("v2")).stage == Stage::queued);
    CHECK(b.r.queue_position(b.current("v3")) == 2);
    CHECK(frames_to(fx3, To::visitor, "v3", "queued").at(0)["position"] == 2);
    // alice resolves v1: v2 is assigned, v3 moves up to 1.
    auto fx = b.agent("alice", json{{"type", "resolve"}, {"conv", b.current("v1")}});
    CHECK(b.conv(b.current("v2")).agent == "alice");
    auto moved = frames_to(fx, To::visitor, "v3", "queued");
    REQUIRE(moved.size() == 1);
    CHECK(moved[0]["position"] == 1);
}

TEST_CASE("routing prefers the agent who speaks the language, then the least busy, then the idle longest") {
    Bench b;
    b.online("en-only", {"en"}, 5, 101);
    b.online("fr-speaker", {"fr"}, 5, 102);
    b.say("v1", "je veux parler à un conseiller", "c1", 1, "fr");
    CHECK(b.conv(b.current("v1")).agent == "fr-speaker");
    // An English conversation goes to the English speaker even though both are free.
    b.say("v2", "I want to talk to a human", "c1", 2, "en");
    CHECK(b.conv(b.current("v2")).agent == "en-only");
    // Two bilingual agents: least busy first.
    Bench c;
    c.online("busy", {"fr", "en"}, 5, 101);
    c.say("w1", "I want to talk to a human", "c1", 1, "en");
    REQUIRE(c.conv(c.current("w1")).agent == "busy");
    c.now += 1000;
    c.online("free", {"fr", "en"}, 5, 102);
    c.say("w2", "I want to talk to a human", "c1", 2, "en");
    CHECK(c.conv(c.current("w2")).agent == "free");
    // Equal load: the one whose last assignment is oldest.
    c.now += 1000;
    c.say("w3", "I want to talk to a human", "c1", 3, "en");
    CHECK(c.conv(c.current("w3")).agent == "busy");
}

TEST_CASE("an angry shopper jumps the queue") {
    Bench b;
    b.say("v1", "I want to talk to a human", "c1", 1, "en");
    b.say("v2", "I want to talk to a human", "c1", 2, "en");
    auto fx = b.say("v3", "This is unacceptable, I am furious, your service is a disgrace!!", "c1", 3, "en");
    auto h = events_of(fx, "handoff.requested");
    REQUIRE(h.size() == 1);
    CHECK(h[0]["priority"] == true);
    CHECK(b.r.queue_position(b.current("v3")) == 1);
    CHECK(b.r.queue_position(b.current("v1")) == 2);
}

TEST_CASE("agents reply, write notes and tags, then only on their own conversations") {
    Bench b;
    b.online("alice");
    b.online("bob", {"fr", "en"}, 3, 200);
    b.say("v1", "I want to talk to a human", "c1", 1, "en");
    const std::string conv = b.current("v1");
    REQUIRE(b.conv(conv).agent == "alice");
    auto reply = b.agent("alice", json{{"type", "message"}, {"conv", conv}, {"text", "Hi, I'm Alice"}, {"client_id", "a1"}});
    auto m = events_of(reply, "message");
    REQUIRE(m.size() == 1);
    CHECK(m[0]["author"] == "agent");
    CHECK(m[0]["agent"] == "alice");
    auto to_visitor = frames_to(reply, To::visitor, "v1", "message");
    REQUIRE(to_visitor.size() == 1);
    CHECK(to_visitor[0]["agent_name"] == "alice");
    CHECK(frames_to(reply, To::session, "", "ack", 100).size() == 1);
    // The visitor's answer reaches alice.
    auto answer = b.say("v1", "My order LUM-1234 is late", "c2");
    CHECK(frames_to(answer, To::agent, "alice", "message").size() == 1);
    CHECK(events_of(answer, "message").size() == 1);  // no bot reply once an agent has it
    // Notes never reach the visitor.
    auto note = b.agent("alice", json{{"type", "note"}, {"conv", conv}, {"text", "VIP customer"}});
    CHECK(events_of(note, "note").size() == 1);
    CHECK(frames_to(note, To::visitor, "v1", "note").empty());
    CHECK(frames_to(note, To::agent, "alice", "note").size() == 1);
    auto tag = b.agent("alice", json{{"type", "tag"}, {"conv", conv}, {"tag", "vip"}});
    CHECK(events_of(tag, "conversation.tagged").at(0)["tag"] == "vip");
    // bob may not touch it; nobody may touch what does not exist.
    for (auto type : {"message", "note", "resolve", "transfer", "tag"}) {
        auto fx = b.agent("bob", json{{"type", type}, {"conv", conv}, {"text", "x"}, {"client_id", "b1"}, {"to", "bob"}, {"tag", "x"}}, 200);
        CHECK(fx.events.empty());
        CHECK(frames_to(fx, To::session, "", "error", 200).at(0)["code"] == "forbidden");
    }
    auto missing = b.agent("bob", json{{"type", "message"}, {"conv", "nope"}, {"text", "x"}, {"client_id", "b2"}}, 200);
    CHECK(frames_to(missing, To::session, "", "error", 200).at(0)["code"] == "not_found");
}

TEST_CASE("transfer hands the conversation to another agent") {
    Bench b;
    b.online("alice");
    b.say("v1", "I want to talk to a human", "c1", 1, "en");
    const std::string conv = b.current("v1");
    b.online("bob", {"fr", "en"}, 3, 200);
    auto fx = b.agent("alice", json{{"type", "transfer"}, {"conv", conv}, {"to", "bob"}});
    auto t = events_of(fx, "conversation.transferred");
    REQUIRE(t.size() == 1);
    CHECK(t[0]["from_agent"] == "alice");
    CHECK(t[0]["to_agent"] == "bob");
    auto a = events_of(fx, "conversation.assigned");
    REQUIRE(a.size() == 1);
    CHECK(a[0]["by"] == "transfer");
    CHECK(b.conv(conv).agent == "bob");
    CHECK(frames_to(fx, To::agent, "alice", "closed").at(0)["reason"] == "transferred");
    CHECK(frames_to(fx, To::agent, "bob", "assigned").size() == 1);
    CHECK(b.r.state().agents.at("alice").convs.empty());
    auto bad = b.agent("bob", json{{"type", "transfer"}, {"conv", conv}, {"to", "nobody"}}, 200);
    CHECK(frames_to(bad, To::session, "", "error", 200).at(0)["code"] == "not_found");
}

TEST_CASE("resolution, CSAT, NPS and reopening") {
    chat::router::RouterConfig cfg;
    cfg.reopen_window_ms = 60'000;
    Bench b(cfg);
    b.online("alice");
    b.say("v1", "I want to talk to a human", "c1", 1, "en");
    const std::string conv = b.current("v1");
    b.agent("alice", json{{"type", "message"}, {"conv", conv}, {"text", "Done!"}, {"client_id", "a1"}});
    auto fx = b.agent("alice", json{{"type", "resolve"}, {"conv", conv}});
    auto r = events_of(fx, "conversation.resolved");
    REQUIRE(r.size() == 1);
    CHECK(r[0]["by"] == "agent");
    CHECK(r[0]["agent"] == "alice");
    auto resolved = frames_to(fx, To::visitor, "v1", "resolved");
    REQUIRE(resolved.size() == 1);
    CHECK(resolved[0]["ask_csat"] == true);
    CHECK(frames_to(fx, To::agent, "alice", "closed").size() == 1);
    auto csat = b.visitor("v1", json{{"type", "csat"}, {"score", 5}, {"comment", "great"}});
    CHECK(events_of(csat, "csat").at(0)["score"] == 5);
    auto nps = b.visitor("v1", json{{"type", "nps"}, {"score", 9}});
    CHECK(events_of(nps, "nps").at(0)["visitor"] == "v1");
    // Writing again within the window reopens the same conversation (back to the bot).
    b.now += 30'000;
    auto again = b.say("v1", "one more question about delivery times", "c9");
    CHECK(events_of(again, "conversation.reopened").size() == 1);
    CHECK(b.current("v1") == conv);
    CHECK(b.conv(conv).stage == Stage::bot);
    // Resolved by the visitor, then outside the window a new conversation opens.
    b.visitor("v1", json{{"type", "resolve"}});
    CHECK(b.conv(conv).resolved_by == "visitor");
    b.now += 61'000;
    auto fresh = b.say("v1", "hello again", "c10");
    CHECK(events_of(fresh, "conversation.opened").size() == 1);
    CHECK(b.current("v1") != conv);
}

TEST_CASE("the visitor confirming the bot's answer resolves it by the bot") {
    Bench b;
    b.say("v1", "how long does delivery take?", "c1", 1, "en");
    auto fx = b.visitor("v1", json{{"type", "helpful"}, {"value", true}});
    auto r = events_of(fx, "conversation.resolved");
    REQUIRE(r.size() == 1);
    CHECK(r[0]["by"] == "bot");
}

TEST_CASE("two fallbacks in a row hand off") {
    Bench b;
    b.say("v1", "what is the capital of mongolia", "c1", 1, "en");
    auto fx = b.say("v1", "do you like jazz music", "c2", 1, "en");
    auto bot = events_of(fx, "message").at(1);
    CHECK(bot["outcome"] == "handoff");
    auto h = events_of(fx, "handoff.requested");
    REQUIRE(h.size() == 1);
    CHECK(h[0]["reason"] == "bot_fallback");
}

TEST_CASE("an agent gone past the grace period goes offline and its conversations return to the head of the queue") {
    chat::router::RouterConfig cfg;
    cfg.agent_grace_ms = 10'000;
    Bench b(cfg);
    b.online("alice", {"fr", "en"}, 1);
    b.say("v1", "I want to talk to a human", "c1", 1, "en");
    b.say("v2", "I want to talk to a human", "c1", 2, "en");
    const std::string c1 = b.current("v1"), c2 = b.current("v2");
    REQUIRE(b.conv(c1).agent == "alice");
    b.keep(b.r.agent_disconnected(100, "alice", b.now));
    b.now += 5'000;
    CHECK(b.keep(b.r.tick(b.now)).events.empty());  // within the grace period
    b.now += 6'000;
    auto fx = b.keep(b.r.tick(b.now));
    auto st = events_of(fx, "agent.status");
    REQUIRE(st.size() == 1);
    CHECK(st[0]["status"] == "offline");
    CHECK(b.conv(c1).stage == Stage::queued);
    CHECK(b.r.queue_position(c1) == 1);  // back at the head, ahead of c2
    CHECK(b.r.queue_position(c2) == 2);
}

TEST_CASE("timers: a visitor gone while queued abandons, then a silent bot conversation ends") {
    chat::router::RouterConfig cfg;
    cfg.queue_abandon_ms = 60'000;
    cfg.bot_inactivity_ms = 600'000;
    Bench b(cfg);
    b.say("v1", "I want to talk to a human", "c1", 1, "en");
    const std::string queued = b.current("v1");
    b.r.visitor_disconnected(1, "v1", b.now);
    b.say("v2", "how long does delivery take?", "c1", 2, "en");
    const std::string answered = b.current("v2");
    b.say("v3", "what is the capital of mongolia", "c1", 3, "en");
    const std::string unanswered = b.current("v3");
    b.now += 61'000;
    auto fx = b.keep(b.r.tick(b.now));
    auto ab = events_of(fx, "conversation.abandoned");
    REQUIRE(ab.size() == 1);
    CHECK(ab[0]["conv"] == queued);
    CHECK(ab[0]["stage"] == "queue");
    b.now += 600'000;
    auto later = b.keep(b.r.tick(b.now));
    CHECK(b.conv(answered).stage == Stage::resolved);
    CHECK(b.conv(answered).resolved_by == "timeout");
    CHECK(b.conv(unanswered).stage == Stage::abandoned);
    CHECK(events_of(later, "conversation.abandoned").at(0)["stage"] == "bot");
}

TEST_CASE("conversions are tracked per visitor") {
    Bench b;
    auto fx = b.visitor("v1", json{{"type", "track"}, {"event", "purchase"}, {"value", 79.5}, {"currency", "EUR"}, {"order", "LUM-1"}});
    auto c = events_of(fx, "visitor.converted");
    REQUIRE(c.size() == 1);
    CHECK(c[0]["value"] == 79.5);
    CHECK(c[0]["currency"] == "EUR");
    CHECK_FALSE(c[0].contains("conv"));
    auto bad = b.visitor("v1", json{{"type", "track"}, {"event", "purchase"}, {"value", "lots"}, {"currency", "EUR"}});
    CHECK(bad.events.empty());
}

TEST_CASE("business hours: outside them a shopper asking for a person is told when the team is back") {
    chat::router::RouterConfig cfg;
    cfg.hours_set = true;
    cfg.utc_offset_minutes = 60;  // UTC+1
    cfg.open_days = 0b0011111;    // Monday to Friday
    cfg.open_minute = 9 * 60;
    cfg.close_minute = 18 * 60;
    // 2024-03-04 is a Monday. 07:59 UTC is 08:59 local: closed; 08:00 UTC is 09:00: open.
    const std::int64_t monday = 1709510400000;  // 2024-03-04T00:00:00Z
    CHECK_FALSE(chat::router::within_hours(cfg, monday + (7 * 60 + 59) * 60000LL));
    CHECK(chat::router::within_hours(cfg, monday + 8 * 3600000LL));
    CHECK(chat::router::within_hours(cfg, monday + (16 * 60 + 59) * 60000LL));
    CHECK_FALSE(chat::router::within_hours(cfg, monday + 17 * 3600000LL));
    CHECK_FALSE(chat::router::within_hours(cfg, monday + 5 * 86400000LL + 10 * 3600000LL));  // Saturday
    // alice is online but busy: inside hours the shopper just waits; outside, they are told when
    // the team is back and may leave a message.
    for (bool inside : {true, false}) {
        Bench b(cfg);
        b.now = monday + (inside ? 10 : 20) * 3600000LL;
        b.online("alice", {"fr", "en"}, 1);
        b.say("v0", "I want to talk to a human", "c1", 1, "en");
        auto fx = b.say("v1", "I want to talk to a human", "c1", 2, "en");
        CHECK(b.r.queue_position(b.current("v1")) == 1);
        auto told = frames_to(fx, To::visitor, "v1", "no_agent");
        CHECK(told.size() == (inside ? 0u : 1u));
        if (!inside) CHECK(told.at(0)["hours"] == cfg.offline_hours_en);
    }
}

TEST_CASE("a visitor's last client_ids_kept client ids are recognised on resend, older ones forgotten oldest first") {
    chat::router::RouterConfig cfg;
    cfg.client_ids_kept = 3;
    Bench b(cfg);
    for (int i = 1; i <= 10; ++i) b.say("v1", "How long does delivery take? " + std::to_string(i), "m" + std::to_string(i), 1, "en");
    const auto& v = b.r.state().visitors.at("v1");
    CHECK(v.client_ids.size() == 3);
    for (int i = 8; i <= 10; ++i) {
        INFO(i);
        auto dup = b.say("v1", "How long does delivery take? " + std::to_string(i), "m" + std::to_string(i), 1, "en");
        CHECK(dup.events.empty());
        CHECK(frames_to(dup, To::session, "", "ack", 1).size() == 1);
    }
    // m7 was the oldest of the last four: forgotten, so its resend is a new message (and it
    // in turn makes m8 the oldest to go).
    auto again = b.say("v1", "How long does delivery take? 7", "m7", 1, "en");
    CHECK(events_of(again, "message").size() >= 1);
    CHECK(v.client_ids.count("m7") == 1);
    CHECK(v.client_ids.count("m8") == 0);
    CHECK(v.client_ids.size() == 3);
}
