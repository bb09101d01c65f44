// Timeout tests: the tick, which looks only at the conversations whose deadline has come
// (server/router/deadlines.hpp), closes exactly those that a look at every open conversation
// would, in the same order, whatever shoppers and agents did in between; the open
// conversations' counts by stage (/metrics), kept as they change, match a count of them; and
// every queued shopper holds the position it was last told; the agents' view of the queue is
// the bytes nlohmann would write.
#include "router_fixture.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <set>

using namespace chat::test;
using chat::router::Stage;

namespace {

// What a tick at `now` must close: every open conversation whose timeout condition holds.
std::vector<std::string> due_by_full_scan(const chat::router::Router& r, const chat::router::RouterConfig& cfg,
                                          std::int64_t now) {
    const auto& st = r.state();
    std::vector<std::string> out;
    for (const auto& id : st.open) {  // in id order, as the tick closes them
        const auto& c = st.conversations.at(id);
        const auto v = st.visitors.find(c.visitor);
        const bool gone = v == st.visitors.end() || v->second.sessions == 0;
        const std::int64_t since = v == st.visitors.end() ? c.last_activity_ms : std::max(v->second.disconnected_ms, c.last_activity_ms);
        const bool due = (c.stage == Stage::bot && now - c.last_activity_ms > cfg.bot_inactivity_ms) ||
                         (c.stage == Stage::queued && gone && now - since > cfg.queue_abandon_ms) ||
                         (c.stage == Stage::assigned && now - c.last_activity_ms > cfg.agent_inactivity_ms);
        if (due) out.push_back(id);
    }
    return out;
}

// The conversations a tick's effects closed, in the order it closed them.
std::vector<std::string> closed_by(const Effects& fx) {
    std::vector<std::string> out;
    for (const auto& ev : fx.events) {
        const json& e = ev.as_json();
        const std::string type = e.value("type", "");
        if (type == "conversation.abandoned" || (type == "conversation.resolved" && e.value("by", "") == "timeout"))
            out.push_back(e.at("conv").get<std::string>());
    }
    return out;
}

}  // namespace

TEST_CASE("the tick closes what a look at every open conversation would, in the same order") {
    chat::router::RouterConfig cfg;
    cfg.bot_inactivity_ms = 60'000;
    cfg.agent_inactivity_ms = 120'000;
    cfg.queue_abandon_ms = 30'000;
    cfg.agent_grace_ms = 10'000;
    const char* texts[] = {"how long does delivery take?", "where is my parcel", "what is the capital of mongolia",
                           "I want to talk to a human", "je veux parler à un \"humain\"\n\\ tout de suite \x01 😡",
                           "bonjour"};
    for (unsigned seed = 1; seed <= 6; ++seed) {
        INFO("seed " << seed);
        Bench b(cfg);
        std::mt19937 rng(seed);
        auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
        constexpr int kVisitors = 40;
        std::vector<bool> connected(kVisitors, false);
        std::set<std::string> agents_online;
        int cid = 0, closed = 0, ticks_with_closing = 0, positions_told = 0, queue_frames = 0;
        // The last queue position each visitor was told ("queued" frames).
        std::map<std::string, std::int64_t> told;
        auto note = [&](const Effects& fx) {
            for (const auto* list : {&fx.now, &fx.on_durable})
                for (const auto& f : *list) {
                    if (f.to != chat::router::Send::To::visitor) continue;
                    const json frame = json::parse(f.frame);
                    if (frame.value("type", "") == "queued") told[f.id] = frame["position"].get<std::int64_t>(), ++positions_told;
                }
        };
        for (int step = 0; step < 4000; ++step) {
            const int v = pick(kVisitors);
            const std::string visitor = "v" + std::to_string(v);
            const chat::router::SessionId s = static_cast<chat::router::SessionId>(v + 1);
            switch (pick(12)) {
            case 0:
            case 1:
                if (!connected[v]) note(b.keep(b.r.visitor_connected(s, visitor, "t" + visitor, std::nullopt, b.now)));
                else b.r.visitor_disconnected(s, visitor, b.now);
                connected[v] = !connected[v];
                break;
            case 2:
            case 3:
            case 4:
                note(b.say(visitor, texts[pick(6)], "c" + std::to_string(++cid), s, pick(2) ? "en" : "fr"));
                break;
            case 5: note(b.visitor(visitor, json{{"type", "handoff"}}, s)); break;
            case 6: {
                // An agent comes online, goes away, or leaves (its grace period then runs).
                const std::string agent = "a" + std::to_string(pick(3));
                const chat::router::SessionId as = 100 + static_cast<chat::router::SessionId>(agent[1] - '0');
                if (!agents_online.count(agent)) {
                    b.r.set_agent_profile(agent, {{"fr", "en"}, 2});
                    note(b.keep(b.r.agent_connected(as, agent, b.now)));  // back within its grace period: may take some
                    note(b.agent_status(agent, "online", as));
                    agents_online.insert(agent);
                } else if (pick(2)) {
                    note(b.agent_status(agent, "away", as));
                    agents_online.erase(agent);
                } else {
                    note(b.keep(b.r.agent_disconnected(as, agent, b.now)));
                    agents_online.erase(agent);
                }
                break;
            }
            case 7: {
                // An agent answers, or resolves, one of its conversations.
                for (const auto& [id, a] : b.r.state().agents) {
                    if (a.convs.empty()) continue;
                    const std::string conv = *a.convs.begin();
                    const chat::router::SessionId as = 100 + static_cast<chat::router::SessionId>(id[1] - '0');
                    if (pick(3)) note(b.agent(id, json{{"type", "message"}, {"conv", conv}, {"text", "on it"}, {"client_id", "ac" + std::to_string(++cid)}}, as));
                    else note(b.agent(id, json{{"type", "resolve"}, {"conv", conv}}, as));
                    break;
                }
                break;
            }
            case 8:
                // A message stamped earlier than the conversation's last activity (a clock set
                // back): its timeout comes sooner than the one scheduled.
                note(b.keep(b.r.visitor_frame(s, visitor, json{{"type", "message"}, {"text", texts[pick(6)]}, {"client_id", "c" + std::to_string(++cid)}},
                                              "en", "/p", b.now - pick(50'000))));
                break;
            default: {
                b.now += pick(4) == 0 ? pick(150'000) : pick(5'000);
                const auto expected = due_by_full_scan(b.r, cfg, b.now);
                // Agents past their grace period go offline first, within the same tick, and
                // their conversations return to the queue: such a tick is checked only for order
                // and for what it leaves.
                Effects fx = b.keep(b.r.tick(b.now));
                note(fx);
                const auto got = closed_by(fx);
                bool agent_went_offline = false;
                for (const auto& e : events_of(fx, "agent.status")) agent_went_offline |= e["status"] == "offline";
                CHECK(std::is_sorted(got.begin(), got.end()));
                if (!agent_went_offline) {
                    // Closed: only what was due. Due and not closed: only a queued conversation
                    // that an agent freed by an earlier timeout of the same tick took first.
                    for (const auto& id : got) CHECK(std::count(expected.begin(), expected.end(), id) == 1);
                    std::set<std::string> assigned;
                    for (const auto& e : events_of(fx, "conversation.assigned")) assigned.insert(e["conv"].get<std::string>());
                    for (const auto& id : expected) {
                        INFO("due but left open: " << id);
                        if (std::count(got.begin(), got.end(), id) == 0) CHECK(assigned.count(id) == 1);
                    }
                }
                // Whatever happened, nothing the full scan finds due is left open after the tick.
                CHECK(due_by_full_scan(b.r, cfg, b.now).empty());
                closed += static_cast<int>(got.size());
                // The agents' view of the queue, written directly, is what nlohmann wrote.
                if (auto frame = b.r.take_queue_update(true)) {
                    json items = json::array();
                    std::size_t pos = 0;
                    for (const auto* q : {&b.r.state().queue_priority, &b.r.state().queue_normal})
                        for (const auto& id : *q) {
                            const auto& c = b.conv(id);
                            json item{{"conv", id}, {"position", ++pos}, {"visitor", c.visitor}, {"lang", c.lang},
                                      {"priority", c.priority}, {"queued_ms", c.queued_ms}};
                            if (!c.preview.empty()) item["preview"] = c.preview;
                            items.push_back(std::move(item));
                        }
                    CHECK(*frame == json{{"type", "queue"}, {"items", items}}.dump(-1, ' ', false, json::error_handler_t::replace));
                    queue_frames += items.empty() ? 0 : 1;
                }
                std::size_t by_stage[5] = {};
                for (const auto& id : b.r.state().open) ++by_stage[static_cast<int>(b.conv(id).stage)];
                for (const auto stage : {Stage::bot, Stage::queued, Stage::assigned, Stage::resolved, Stage::abandoned}) {
                    INFO("stage " << chat::router::stage_name(stage));
                    CHECK(b.r.open_in(stage) == by_stage[static_cast<int>(stage)]);
                }
                ticks_with_closing += got.empty() ? 0 : 1;
            }
            }
            // Every queued shopper was last told the position it holds, however the queue moved
            // (only the positions from the first change on are looked at).
            std::int64_t pos = 0;
            for (const auto* q : {&b.r.state().queue_priority, &b.r.state().queue_normal})
                for (const auto& id : *q) {
                    INFO("queued " << id << " at step " << step);
                    CHECK(told[b.conv(id).visitor] == ++pos);
                }
        }
        // The run met every kind of timeout, many times, and a moving queue.
        CHECK(closed > 100);
        CHECK(ticks_with_closing > 30);
        CHECK(positions_told > 40);
        CHECK(queue_frames > 20);
    }
}

TEST_CASE("a replayed router schedules every open conversation at its first tick") {
    chat::router::RouterConfig cfg;
    cfg.bot_inactivity_ms = 60'000;
    Bench b(cfg);
    b.say("v1", "how long does delivery take?", "c1", 1, "en");
    b.say("v2", "where is my parcel", "c1", 2, "en");
    const std::string c1 = b.current("v1");
    b.now += 30'000;
    b.say("v2", "and the tracking number?", "c2", 2, "en");
    const std::string c2 = b.current("v2");
    chat::router::Router replayed(cfg, real_bot());
    for (const auto& e : b.log) replayed.apply(e);
    replayed.finish_replay(b.now);
    // Nothing is due yet; then c1 (silent for 60 s), then c2.
    CHECK(closed_by(replayed.tick(b.now)).empty());
    CHECK(closed_by(replayed.tick(b.now + 30'001)) == std::vector<std::string>{c1});
    CHECK(closed_by(replayed.tick(b.now + 59'000)).empty());
    CHECK(closed_by(replayed.tick(b.now + 60'001)) == std::vector<std::string>{c2});
    CHECK(replayed.state().open.empty());
}
