// assignment.cpp — the human queue: handoff, choosing an agent, queue positions, resolution.
//
// Routing rule: among agents who are online, connected and below their capacity, prefer those
// who speak the conversation's language (when any does), then the least busy, then the one
// whose last assignment is oldest (idle longest), then by name so the choice is repeatable.
// Priority conversations (angry shopper, complaint) are queued ahead of the others.
#include "router.hpp"

#include <algorithm>
#include <utility>

#include "json_out.hpp"

namespace chat::router {

using namespace std::string_view_literals;

bool within_hours(const RouterConfig& cfg, std::int64_t now_ms) {
    if (!cfg.hours_set) return true;
    const std::int64_t local_min = now_ms / 60000 + cfg.utc_offset_minutes;
    const std::int64_t day = local_min >= 0 ? local_min / 1440 : (local_min - 1439) / 1440;
    const int minute = static_cast<int>(local_min - day * 1440);
    const int weekday = static_cast<int>(((day % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday (3)
    return (cfg.open_days >> weekday & 1) && minute >= cfg.open_minute && minute < cfg.close_minute;
}

void Router::request_handoff(Effects& fx, Conversation& c, const std::string& reason, bool priority, std::int64_t now) {
    json e{{"type", "handoff.requested"}, {"conv", c.id}, {"ts", now}, {"reason", reason}};
    if (priority || reason == "negative_sentiment"sv || reason == "complaint"sv) e["priority"] = true;
    emit(fx, std::move(e));
    drain_queue(fx, now);
    if (c.stage != Stage::queued) return;
    const bool anyone_online = cfg_.shared_queue || std::any_of(st_.agents.begin(), st_.agents.end(), [](const auto& kv) {
        return kv.second.status == "online"sv && kv.second.sessions > 0;
    });
    if (!anyone_online || !within_hours(cfg_, now)) {
        finish(fx);  // the queue position first, then the offer to leave a message
        const bool fr = c.lang == "fr"sv;
        fx.on_durable.push_back({Send::To::visitor, c.visitor, 0,
                                 dump(json{{"type", "no_agent"},
                                           {"conv", c.id},
                                           {"hours", fr ? cfg_.offline_hours_fr : cfg_.offline_hours_en}})});
    }
}

namespace {
// Online, connected and below its capacity: may be given a conversation.
bool has_room(const Agent& a) { return a.status == "online"sv && a.sessions > 0 && static_cast<int>(a.convs.size()) < a.capacity; }
}  // namespace

std::optional<std::string> Router::pick_agent(const Conversation& c, const std::string& except) const {
    const Agent* best = nullptr;
    bool best_speaks = false;
    for (const auto& [id, a] : st_.agents) {
        if (id == except || !has_room(a)) continue;
        const bool speaks = c.lang.empty() || std::find(a.langs.begin(), a.langs.end(), c.lang) != a.langs.end();
        auto better = [&] {
            if (!best) return true;
            if (speaks != best_speaks) return speaks;
            if (a.convs.size() != best->convs.size()) return a.convs.size() < best->convs.size();
            return a.last_assigned_ms < best->last_assigned_ms;  // map order breaks the last tie by name
        };
        if (better()) {
            best = &a;
            best_speaks = speaks;
        }
    }
    if (!best) return std::nullopt;
    return best->id;
}

void Router::drain_queue(Effects& fx, std::int64_t now) {
    if (cfg_.shared_queue) return;  // Redis assigns (cluster_assigned)
    // pick_agent prefers a language, never refuses one: while any agent has room, the head of
    // the queue goes to someone; once none has, nobody takes anything. A busy day's resolutions
    // each call this with every agent full: they cost a look at the agents, not at the queue.
    const auto room = [this] {
        return std::any_of(st_.agents.begin(), st_.agents.end(), [](const auto& kv) { return has_room(kv.second); });
    };
    if (queue_length() == 0 || !room()) return;
    // Walk a copy: assigning removes from the queue.
    std::vector<std::string> order(st_.queue_priority.begin(), st_.queue_priority.end());
    order.insert(order.end(), st_.queue_normal.begin(), st_.queue_normal.end());
    for (const auto& id : order) {
        if (!room()) break;
        Conversation& c = st_.conversations[id];
        auto agent = pick_agent(c);
        if (!agent) continue;
        emit(fx, json{{"type", "conversation.assigned"}, {"conv", id}, {"ts", now}, {"agent", *agent}, {"by", "auto"}});
        send_assignment(fx, c, *agent);
    }
}

void Router::send_assignment(Effects& fx, const Conversation& c, const std::string& agent) {
    // The visitor sees "agent X joined" (the history frame the assignment just added).
    fx.on_durable.push_back({Send::To::visitor, c.visitor, 0, c.history.back().frame});
    fx.on_durable.push_back({Send::To::agent, agent, 0, dump(assigned_frame_for_agent(c))});
}

json Router::assigned_frame_for_agent(const Conversation& c) const {
    json past = json::array();
    if (auto v = st_.visitors.find(c.visitor); v != st_.visitors.end()) {
        for (const auto& id : v->second.convs) {
            if (id == c.id) continue;
            if (auto pc = st_.conversations.find(id); pc != st_.conversations.end()) past.push_back(conversation_summary(pc->second));
        }
    }
    json history = json::array();
    std::vector<HistoryFrame> scratch;
    for (const auto& h : history_of(c, scratch)) history.push_back(json::parse(h.frame));
    return json{{"type", "assigned"},
                {"conv", c.id},
                {"visitor", {{"id", c.visitor}, {"lang", c.lang}, {"page", c.page}, {"past_conversations", past}}},
                {"priority", c.priority},
                {"tags", c.tags},
                {"history", history}};
}

std::string Router::queue_frame() const {
    // Written directly, keys sorted as nlohmann's dump would write them: every agent's console
    // gets it up to five times a second while the queue moves, and through nlohmann objects a
    // queue of 5,000 took the core thread 48 ms each time (queue-bench, bench/RESULTS.md).
    std::string items = "[";
    items.reserve(64 + 160 * queue_length());
    std::size_t pos = 0;
    for (auto* q : {&st_.queue_priority, &st_.queue_normal})
        for (const auto& id : *q) {
            const Conversation& c = st_.conversations.at(id);
            if (pos) items += ',';
            JsonOut item(160 + c.preview.size());
            item.str("conv", id).str("lang", c.lang).num("position", ++pos);
            if (!c.preview.empty()) item.str("preview", c.preview);
            item.raw("priority", c.priority ? "true" : "false").num("queued_ms", c.queued_ms).str("visitor", c.visitor);
            items += item.done();
        }
    items += ']';
    return JsonOut(items.size() + 32).raw("items", items).str("type", "queue").done();
}

void Router::finish(Effects& fx) {
    if (queue_dirty_from_ == std::string::npos) return;
    // Only from the first changed index on: a queue a thousand long that gains one at its back
    // tells one visitor, and costs one look.
    const std::size_t from = std::exchange(queue_dirty_from_, std::string::npos);
    std::size_t base = 0;
    for (auto* q : {&st_.queue_priority, &st_.queue_normal}) {
        for (std::size_t i = from > base ? from - base : 0; i < q->size(); ++i) {
            const std::string& id = (*q)[i];
            Conversation& c = st_.conversations[id];
            const std::size_t pos = base + i + 1;
            if (c.pushed_position != pos) {
                c.pushed_position = pos;
                fx.on_durable.push_back({Send::To::visitor, c.visitor, 0, dump(json{{"type", "queued"}, {"position", pos}})});
            }
        }
        base += q->size();
    }
    // The agents' view of the queue goes out with the next take_queue_update().
    queue_changed_ = true;
}

std::optional<std::string> Router::take_queue_update(bool even_without_agents) {
    if (!queue_changed_) return std::nullopt;
    queue_changed_ = false;
    // With no agent connected there is nobody to build it for.
    const bool agent_connected = even_without_agents ||
        std::any_of(st_.agents.begin(), st_.agents.end(), [](const auto& a) { return a.second.sessions > 0; });
    if (!agent_connected) return std::nullopt;
    return queue_frame();
}

Effects Router::cluster_assigned(const std::string& conv, const std::string& agent, const std::string& by,
                                 std::int64_t now) {
    Effects fx;
    auto it = st_.conversations.find(conv);
    if (it == st_.conversations.end()) return fx;
    Conversation& c = it->second;
    if (by == "transfer"sv) {
        if (c.stage != Stage::assigned || c.agent == agent) return fx;
        const std::string from = c.agent;
        emit(fx, json{{"type", "conversation.transferred"}, {"conv", c.id}, {"ts", now}, {"from_agent", from}, {"to_agent", agent}});
        emit(fx, json{{"type", "conversation.assigned"}, {"conv", c.id}, {"ts", now}, {"agent", agent}, {"by", "transfer"}});
        fx.on_durable.push_back({Send::To::agent, from, 0, dump(json{{"type", "closed"}, {"conv", c.id}, {"reason", "transferred"}, {"to", agent}})});
    } else {
        if (c.stage == Stage::bot && by == "manual"sv)
            emit(fx, json{{"type", "handoff.requested"}, {"conv", c.id}, {"ts", now}, {"reason", "agent_pickup"}});
        else if (c.stage != Stage::queued)
            return fx;
        emit(fx, json{{"type", "conversation.assigned"}, {"conv", c.id}, {"ts", now}, {"agent", agent}, {"by", by}});
    }
    send_assignment(fx, c, agent);
    finish(fx);
    return fx;
}

std::string Router::assigned_frame(const std::string& conv) const {
    auto it = st_.conversations.find(conv);
    return it == st_.conversations.end() ? std::string{} : dump(assigned_frame_for_agent(it->second));
}

void Router::resolve(Effects& fx, Conversation& c, const std::string& by, const std::string& agent, std::int64_t now) {
    const std::string had_agent = c.stage == Stage::assigned ? c.agent : "";
    ConvEvent e;
    e.kind = ConvEvent::Kind::resolved;
    e.conv = c.id;
    e.ts = now;
    e.by = by;
    if (!agent.empty()) e.agent = agent;
    emit(fx, std::move(e));
    auto v = st_.visitors.find(c.visitor);
    const bool ask_nps = v != st_.visitors.end() && !v->second.nps_answered && (by == "agent"sv || by == "bot"sv);
    fx.on_durable.push_back({Send::To::visitor, c.visitor, 0, resolved_frame(c.id, c.last_seq, now, by, ask_nps)});
    if (!had_agent.empty())
        fx.on_durable.push_back({Send::To::agent, had_agent, 0, dump(json{{"type", "closed"}, {"conv", c.id}, {"reason", "resolved"}, {"by", by}})});
    drain_queue(fx, now);
}

}  // namespace chat::router
