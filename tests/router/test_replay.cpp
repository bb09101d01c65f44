// Replay tests: a router rebuilt from the log it wrote has the same state, numbers frames the
// same way, and resumes a visitor with exactly the frames after its last seq.
#include "router_fixture.hpp"

using namespace chat::test;
using chat::router::Stage;
using To = chat::router::Send::To;


TEST_CASE("replaying the log rebuilds the same state") {
    Bench b;
    b.online("alice", {"fr", "en"}, 1);
    b.say("v1", "I want to talk to a human", "c1", 1, "en");
    b.say("v2", "je veux parler à un conseiller", "c1", 2, "fr");
    b.say("v3", "how long does delivery take?", "c1", 3, "en");
    const std::string c1 = b.current("v1");
    b.agent("alice", json{{"type", "message"}, {"conv", c1}, {"text", "Hello"}, {"client_id", "a1"}});
    b.agent("alice", json{{"type", "tag"}, {"conv", c1}, {"tag", "vip"}});
    b.agent("alice", json{{"type", "note"}, {"conv", c1}, {"text", "nice person"}});
    b.say("v1", "thanks!", "c2");

    chat::router::Router fresh(b.cfg, real_bot());
    for (const auto& e : b.log) fresh.apply(json::parse(e.dump()));
    same_state(b.r, fresh);

    // The rebuilt router goes on numbering conversations without reusing an id.
    fresh.finish_replay(b.now);
    auto fx = fresh.visitor_frame(9, "v9", json{{"type", "message"}, {"text", "hello"}, {"client_id", "x"}}, "en", "", b.now);
    const std::string id = events_of(fx, "conversation.opened").at(0)["conv"];
    for (const auto& e : b.log) CHECK(e.value("conv", "") != id);
    // And a resend of a message logged before the restart is still recognised.
    auto dup = fresh.visitor_frame(1, "v1", json{{"type", "message"}, {"text", "thanks!"}, {"client_id", "c2"}}, "en", "", b.now);
    CHECK(dup.events.empty());
    CHECK(frames_to(dup, To::session, "", "ack", 1).size() == 1);
}

TEST_CASE("resume replays exactly the frames after last_seq") {
    Bench b;
    b.online("alice");
    b.say("v1", "I want to talk to a human", "c1", 1, "en");  // seq 1 visitor, 2 bot, 3 assigned
    const std::string conv = b.current("v1");
    b.agent("alice", json{{"type", "message"}, {"conv", conv}, {"text", "Hi"}, {"client_id", "a1"}});    // 4
    b.agent("alice", json{{"type", "note"}, {"conv", conv}, {"text", "internal"}});                       // 5, agents only
    b.agent("alice", json{{"type", "message"}, {"conv", conv}, {"text", "Still there?"}, {"client_id", "a2"}});  // 6
    auto fx = b.r.visitor_connected(7, "v1", "tok", 3, b.now);
    auto welcome = frames_to(fx, To::session, "", "welcome", 7).at(0);
    CHECK(welcome["conv"] == conv);
    CHECK(welcome["last_seq"] == 6);
    std::vector<std::uint64_t> seqs;
    for (const auto& s : fx.now) {
        auto f = json::parse(s.frame);
        if (f.contains("seq")) seqs.push_back(f["seq"]);
        CHECK(f.value("type", "") != "note");
    }
    CHECK(seqs == std::vector<std::uint64_t>{4, 6});
}

TEST_CASE("after a replay, agents who do not come back go offline and their conversations are requeued") {
    chat::router::RouterConfig cfg;
    cfg.agent_grace_ms = 1000;
    Bench b(cfg);
    b.online("alice");
    b.say("v1", "I want to talk to a human", "c1", 1, "en");
    const std::string conv = b.current("v1");
    chat::router::Router fresh(b.cfg, real_bot());
    for (const auto& e : b.log) fresh.apply(e);
    fresh.finish_replay(b.now);
    CHECK(fresh.state().conversations.at(conv).stage == Stage::assigned);
    auto fx = fresh.tick(b.now + 2000);
    CHECK(events_of(fx, "agent.status").size() == 1);
    CHECK(fresh.state().conversations.at(conv).stage == Stage::queued);
}
