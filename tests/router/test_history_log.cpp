// Histories left to the log (router/history.cpp): a closed conversation's frames leave memory
// once every event of it has a place, and come back byte for byte for a resume, the
// transcript, a reopening and after a replay; an event without a place keeps them in memory,
// and an erased visitor's texts stay null even when the log still holds them.
#include "router_fixture.hpp"

using namespace chat::test;
using chat::router::HistoryFrame;
using chat::router::Stage;
using To = chat::router::Send::To;

namespace {
// A Bench whose log is readable by place (a place is the line's index in `log`), each event
// placed as soon as it is kept, as the core does once the writer reports it durable.
struct LoggedBench : Bench {
    int reads = 0;
    bool place_events = true;
    explicit LoggedBench(chat::router::RouterConfig c) : Bench(c) { attach(r); }
    void attach(chat::router::Router& router) {
        router.set_log_reader([this](const std::vector<std::uint64_t>& places) {
            ++reads;
            std::vector<std::string> lines;
            for (auto p : places) lines.push_back(log.at(p).dump());
            return lines;
        });
    }
    Effects keep(Effects fx) {
        const std::size_t from = log.size();
        Bench::keep(std::move(fx));
        if (place_events) place_from(from);
        return {};
    }
    // Applies the whole log to `router`, each line placed as it is applied, as start-up does.
    void replay_into(chat::router::Router& router) {
        attach(router);
        for (std::size_t i = 0; i < log.size(); ++i) {
            router.apply(json::parse(log[i].dump()));
            if (auto conv = chat::router::conversation_of(log[i]); !conv.empty()) router.logged(std::string(conv), i);
        }
    }
    void place_from(std::size_t from) {
        for (std::size_t i = from; i < log.size(); ++i)
            if (auto conv = chat::router::conversation_of(log[i]); !conv.empty()) r.logged(std::string(conv), i);
    }
    void say(const std::string& v, const std::string& text, const std::string& cid) {
        keep(r.visitor_frame(1, v, json{{"type", "message"}, {"text", text}, {"client_id", cid}}, "en", "/p", now));
    }
    void agent(const std::string& a, json frame) { keep(r.agent_frame(100, a, frame, now)); }
};

chat::router::RouterConfig kept_for(std::int64_t ms) {
    chat::router::RouterConfig cfg;
    cfg.history_kept_ms = ms;
    return cfg;
}

std::vector<std::string> frames(const std::vector<HistoryFrame>& h) {
    std::vector<std::string> out;
    for (const auto& f : h) out.push_back(f.frame);
    return out;
}

// A conversation with every kind of history frame: visitor, bot, assignment, agent, note,
// resolution. Returns its id.
std::string full_conversation(LoggedBench& b) {
    b.r.set_agent_profile("alice", {{"en"}, 3});
    b.keep(b.r.agent_connected(100, "alice", b.now));
    b.agent("alice", json{{"type", "status"}, {"status", "online"}});
    b.say("v1", "How long does delivery take?", "c1");
    b.say("v1", "I want to talk to a human", "c2");
    const std::string conv = b.current("v1");
    REQUIRE(b.conv(conv).stage == Stage::assigned);
    b.agent("alice", json{{"type", "message"}, {"conv", conv}, {"text", "Hello, Alice here"}, {"client_id", "a1"}});
    b.agent("alice", json{{"type", "note"}, {"conv", conv}, {"text", "asked about delivery"}});
    b.agent("alice", json{{"type", "resolve"}, {"conv", conv}});
    REQUIRE(b.conv(conv).stage == Stage::resolved);
    return conv;
}
}  // namespace

TEST_CASE("a closed conversation's history leaves memory after history_kept_ms and comes back the same") {
    LoggedBench b(kept_for(60'000));
    const std::string conv = full_conversation(b);
    const auto before = frames(b.conv(conv).history);
    REQUIRE(before.size() == 8);  // 2 × (visitor, bot), assigned, agent, note, resolved

    b.r.trim(b.now + 59'999);
    CHECK_FALSE(b.conv(conv).history_in_log);
    b.r.trim(b.now + 60'000);
    CHECK(b.conv(conv).history_in_log);
    CHECK(b.conv(conv).history.empty());
    CHECK(b.conv(conv).preview.empty());  // the last visitor text, shown only while queued
    CHECK(b.r.state().histories_in_log == 1);

    // The transcript, read back: the same frames, byte for byte.
    std::vector<HistoryFrame> scratch;
    CHECK(frames(b.r.history_of(b.conv(conv), scratch)) == before);
    CHECK(b.reads == 1);

    // A resume with nothing missed reads nothing; one from the start gets every visible frame.
    b.now += 120'000;
    auto none = b.r.visitor_connected(5, "v1", "tok", b.conv(conv).last_seq, b.now);
    CHECK(none.now.size() == 1);  // the welcome only
    CHECK(b.reads == 1);
    auto all = b.r.visitor_connected(6, "v1", "tok", 0, b.now);
    std::vector<std::string> replayed;
    for (const auto& s : all.now)
        if (json::parse(s.frame).contains("seq")) replayed.push_back(s.frame);
    std::vector<std::string> visible;
    for (const auto& f : before)
        if (json::parse(f)["type"] != "note") visible.push_back(f);
    CHECK(replayed == visible);

    // The visitor writes again within the reopen window: the history is back in memory, and
    // the new frames follow it with the next seqs.
    b.say("v1", "One more question about delivery", "c3");
    const auto& c = b.conv(conv);
    CHECK_FALSE(c.history_in_log);
    CHECK(b.r.state().histories_in_log == 0);
    REQUIRE(c.history.size() > before.size());
    const auto now_frames = frames(c.history);
    CHECK(std::vector<std::string>(now_frames.begin(), now_frames.begin() + static_cast<std::ptrdiff_t>(before.size())) == before);
    CHECK(c.history[before.size()].seq == before.size() + 1);
    CHECK(json::parse(c.history[before.size()].frame)["text"] == "One more question about delivery");
    CHECK(c.preview == "One more question about delivery");
}

TEST_CASE("a replayed log leaves old histories to the log and serves them the same") {
    LoggedBench b(kept_for(60'000));
    const std::string conv = full_conversation(b);
    const auto before = frames(b.conv(conv).history);
    b.now += 30'000;
    b.say("v2", "Do you ship to Belgium?", "x1");  // still open at the end
    const std::string open = b.current("v2");
    const auto open_before = frames(b.conv(open).history);

    chat::router::Router fresh(b.cfg, real_bot());
    b.replay_into(fresh);
    fresh.finish_replay(b.now + 60'000);
    const auto& c = fresh.state().conversations.at(conv);
    CHECK(c.history_in_log);
    CHECK(c.last_seq == before.size());
    std::vector<HistoryFrame> scratch;
    CHECK(frames(fresh.history_of(c, scratch)) == before);
    CHECK_FALSE(fresh.state().conversations.at(open).history_in_log);
    CHECK(frames(fresh.state().conversations.at(open).history) == open_before);
}

TEST_CASE("a history stays in memory while one of its events has no place") {
    LoggedBench b(kept_for(0));
    b.place_events = false;  // not durable yet (or adopted from another node's journal)
    const std::size_t from = b.log.size();
    const std::string conv = full_conversation(b);
    b.r.trim(b.now + 3'600'000);
    CHECK_FALSE(b.conv(conv).history_in_log);
    CHECK(b.conv(conv).history.size() == 8);
    // Once every event is placed, it may go; trim looks at each closing once, so the next
    // closing (after a reopening) is what lets it go.
    b.place_events = true;
    b.place_from(from);
    b.say("v1", "thanks", "c9");
    b.keep(b.r.visitor_frame(1, "v1", json{{"type", "resolve"}}, "en", "/p", b.now));
    REQUIRE(b.conv(conv).stage == Stage::resolved);
    b.r.trim(b.now);
    CHECK(b.conv(conv).history_in_log);
    std::vector<HistoryFrame> scratch;
    CHECK(b.r.history_of(b.conv(conv), scratch).size() == 11);  // + visitor, bot, resolved
}

TEST_CASE("an erased visitor's history read back from the log has no texts, though the log still has them") {
    LoggedBench b(kept_for(0));
    const std::string conv = full_conversation(b);
    b.r.trim(b.now);
    REQUIRE(b.conv(conv).history_in_log);
    b.r.forget_texts("v1");
    std::vector<HistoryFrame> scratch;
    const auto& h = b.r.history_of(b.conv(conv), scratch);
    REQUIRE(h.size() == 8);
    for (const auto& f : h) {
        const json j = json::parse(f.frame);
        if (j.contains("text")) CHECK(j["text"].is_null());
    }
    bool log_has_text = false;
    for (const auto& e : b.log) log_has_text |= e.value("text", json()).is_string();
    CHECK(log_has_text);
}

TEST_CASE("without a log reader every history stays in memory") {
    Bench b(kept_for(0));
    b.say("v1", "How long does delivery take?", "c1", 1, "en");
    const std::string conv = b.current("v1");
    b.visitor("v1", json{{"type", "resolve"}});
    REQUIRE(b.conv(conv).stage == Stage::resolved);
    b.r.trim(b.now + 86'400'000);
    CHECK_FALSE(b.conv(conv).history_in_log);
    CHECK(b.conv(conv).history.size() == 3);
    CHECK(b.r.state().closed.empty());
}

TEST_CASE("a history rebuilt from lines takes only its own conversation's, and nulls an erased visitor's texts") {
    LoggedBench b(kept_for(0));
    const std::string conv = full_conversation(b);
    b.say("v2", "Do you ship to Belgium?", "x1");
    const std::string other = b.current("v2");
    const auto before = frames(b.conv(conv).history);
    std::vector<std::string> lines;
    for (const auto& e : b.log) lines.push_back(e.dump());  // every line, the other conversation's too
    CHECK(frames(chat::router::Router::history_from_lines({conv, {}, false, {}}, lines)) == before);
    CHECK(chat::router::Router::history_from_lines({other, {}, false, {}}, lines).size() == 2);
    for (const auto& f : chat::router::Router::history_from_lines({conv, {}, true, {}}, lines))
        if (const json j = json::parse(f.frame); j.contains("text")) CHECK(j["text"].is_null());
}

namespace {
chat::router::RouterConfig frames_kept(std::size_t n) {
    chat::router::RouterConfig cfg = kept_for(60'000);
    cfg.history_frames_kept = n;
    return cfg;
}

// A long open conversation: an agent's, then `questions` more visitor messages with their
// answers. The same calls on every bench give the same frames.
std::string long_conversation(LoggedBench& b, int questions) {
    b.r.set_agent_profile("alice", {{"en"}, 3});
    b.keep(b.r.agent_connected(100, "alice", b.now));
    b.agent("alice", json{{"type", "status"}, {"status", "online"}});
    b.say("v1", "I want to talk to a human", "h1");
    const std::string conv = b.current("v1");
    b.agent("alice", json{{"type", "message"}, {"conv", conv}, {"text", "Hello, Alice here"}, {"client_id", "a1"}});
    b.agent("alice", json{{"type", "note"}, {"conv", conv}, {"text", "a long one"}});
    for (int i = 0; i < questions; ++i) {
        b.now += 1000;
        b.say("v1", "question number " + std::to_string(i), "q" + std::to_string(i));
        b.agent("alice", json{{"type", "message"}, {"conv", conv}, {"text", "answer " + std::to_string(i)}, {"client_id", "r" + std::to_string(i)}});
    }
    return conv;
}

std::vector<std::string> visible_after(const std::vector<HistoryFrame>& h, std::uint64_t seq) {
    std::vector<std::string> out;
    for (const auto& f : h)
        if (f.visitor_visible && f.seq > seq) out.push_back(f.frame);
    return out;
}

std::vector<std::string> replayed(const Effects& fx) {
    std::vector<std::string> out;
    for (const auto& s : fx.now)
        if (json::parse(s.frame).contains("seq")) out.push_back(s.frame);
    return out;
}
}  // namespace

TEST_CASE("a long open conversation keeps its latest frames in memory and reads the older ones from the log") {
    LoggedBench all(frames_kept(0)), b(frames_kept(4));
    const std::string conv = long_conversation(all, 20);
    REQUIRE(long_conversation(b, 20) == conv);
    const auto whole = all.conv(conv).history;
    REQUIRE(whole.size() == 45);  // the visitor, the bot handing off, assigned, agent, note, then 20 × (visitor, agent)
    CHECK(all.conv(conv).frames_in_log == 0);

    const auto& c = b.conv(conv);
    CHECK_FALSE(c.history_in_log);
    CHECK(c.history.size() >= 4);
    CHECK(c.history.size() <= 8);
    CHECK(c.frames_in_log + c.history.size() == whole.size());
    const auto every = frames(whole);
    CHECK(frames(c.history) == std::vector<std::string>(every.end() - static_cast<std::ptrdiff_t>(c.history.size()), every.end()));
    CHECK(b.reads == 0);

    // The whole history, for an agent or the transcript: the log's frames, then memory's.
    std::vector<HistoryFrame> scratch;
    CHECK(frames(b.r.history_of(c, scratch)) == frames(whole));
    CHECK(b.reads == 1);
    auto request = b.r.history_request(c);
    REQUIRE(request);
    std::vector<std::string> lines;
    for (const auto& e : b.log) lines.push_back(e.dump());
    CHECK(frames(chat::router::Router::history_from_lines(*request, lines)) == frames(whole));

    // A resume from a seq still in memory reads nothing; one from further back gets the rest.
    const std::uint64_t recent = c.last_seq - 2;
    CHECK(replayed(b.r.visitor_connected(5, "v1", "tok", recent, b.now)) == visible_after(whole, recent));
    CHECK(b.reads == 1);
    CHECK(replayed(b.r.visitor_connected(6, "v1", "tok", 3, b.now)) == visible_after(whole, 3));
    CHECK(b.reads == 2);
}

TEST_CASE("a long conversation's frames stay in memory while an event has no place, and the newest join what the log holds") {
    LoggedBench all(frames_kept(0)), b(frames_kept(4));
    const std::string conv = long_conversation(all, 20);
    long_conversation(b, 20);
    const std::uint32_t in_log = b.conv(conv).frames_in_log;
    REQUIRE(in_log > 0);

    // Five more exchanges not durable yet: nothing more leaves memory.
    b.place_events = false;
    const std::size_t from = b.log.size();
    for (int i = 0; i < 5; ++i) {
        all.say("v1", "late question " + std::to_string(i), "l" + std::to_string(i));
        b.say("v1", "late question " + std::to_string(i), "l" + std::to_string(i));
    }
    const auto whole = all.conv(conv).history;
    CHECK(b.conv(conv).frames_in_log == in_log);
    CHECK(b.conv(conv).history.size() + in_log == whole.size());

    // Read now, the log lacks the newest events: memory has them.
    std::vector<HistoryFrame> scratch;
    CHECK(frames(b.r.history_of(b.conv(conv), scratch)) == frames(whole));

    // Once placed, the oldest leave.
    b.place_from(from);
    CHECK(b.conv(conv).frames_in_log > in_log);
    CHECK(b.conv(conv).history.size() <= 8);
    CHECK(frames(b.r.history_of(b.conv(conv), scratch)) == frames(whole));
}

TEST_CASE("a long conversation replayed, closed, reopened and erased keeps its frames the same") {
    LoggedBench all(frames_kept(0)), b(frames_kept(4));
    const std::string conv = long_conversation(all, 12);
    long_conversation(b, 12);
    const auto whole = frames(all.conv(conv).history);

    // A replay of the log leaves the same frames to it.
    chat::router::Router fresh(b.cfg, real_bot());
    b.replay_into(fresh);
    fresh.finish_replay(b.now);
    const auto& replayed_conv = fresh.state().conversations.at(conv);
    CHECK(replayed_conv.history.size() <= 8);
    CHECK(replayed_conv.frames_in_log > 0);
    std::vector<HistoryFrame> scratch;
    CHECK(frames(fresh.history_of(replayed_conv, scratch)) == whole);

    // Closed for history_kept_ms, it all goes to the log; reopened, it all comes back.
    b.agent("alice", json{{"type", "resolve"}, {"conv", conv}});
    all.agent("alice", json{{"type", "resolve"}, {"conv", conv}});
    b.r.trim(b.now + 60'000);
    CHECK(b.conv(conv).history_in_log);
    CHECK(b.conv(conv).frames_in_log == 0);
    CHECK(frames(b.r.history_of(b.conv(conv), scratch)) == frames(all.conv(conv).history));
    b.now += 120'000;
    all.now += 120'000;
    b.say("v1", "Back again", "z1");
    all.say("v1", "Back again", "z1");
    CHECK_FALSE(b.conv(conv).history_in_log);
    CHECK(frames(b.r.history_of(b.conv(conv), scratch)) == frames(all.conv(conv).history));

    // An erased visitor's texts are null in both parts.
    b.say("v1", "and another", "z2");
    for (int i = 0; i < 6; ++i) b.say("v1", "more " + std::to_string(i), "m" + std::to_string(i));
    REQUIRE(b.conv(conv).frames_in_log > 0);
    b.r.forget_texts("v1");
    for (const auto& f : b.r.history_of(b.conv(conv), scratch)) {
        const json j = json::parse(f.frame);
        if (j.contains("text")) CHECK(j["text"].is_null());
    }
}
