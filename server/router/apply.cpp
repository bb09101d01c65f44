// apply.cpp — how each logged event changes the router's state.
//
// The only place the state changes. Live commands emit an event and apply it at once; at
// start-up the whole log is applied in order. Frames that belong to a conversation's history
// (messages, notes, assignments, resolutions) get their per-conversation seq here, so a
// restarted server numbers them exactly as before.
#include "router.hpp"

#include <algorithm>

#include "json_out.hpp"

namespace chat::router {

using namespace std::string_view_literals;

const char* stage_name(Stage s) {
    switch (s) {
    case Stage::bot: return "bot";
    case Stage::queued: return "queued";
    case Stage::assigned: return "assigned";
    case Stage::resolved: return "resolved";
    case Stage::abandoned: return "abandoned";
    }
    return "?";
}

namespace {
std::string str(const json& e, const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

// For comparisons: no copy.
std::string_view text(const json& e, const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>()) : std::string_view();
}

}  // namespace

void Router::apply(const json& e) {
    const std::string_view type = text(e, "type");
    const std::int64_t ts = e.value("ts", std::int64_t{0});
    const std::string conv_id(conversation_of(e));

    if (type == "agent.status"sv) {
        Agent& a = agent_record(str(e, "agent"));
        a.status = str(e, "status");
        if (a.status == "offline"sv) {
            // Its conversations go back to the head of the queue, oldest first.
            std::vector<Conversation*> back;
            for (const auto& id : a.convs)
                if (auto it = st_.conversations.find(id); it != st_.conversations.end()) back.push_back(&it->second);
            std::sort(back.begin(), back.end(), [](auto* x, auto* y) { return x->queued_ms < y->queued_ms; });
            for (auto it = back.rbegin(); it != back.rend(); ++it) {
                Conversation& c = **it;
                set_stage(c, Stage::queued);
                c.agent.clear();
                enqueue(c, true);
                watch(c, ts);
            }
            a.convs.clear();
        }
        return;
    }
    if (conv_id.empty()) return;  // visitor.converted, audit, offline.message without conversation

    // The lifecycle events go through the same typed code as when they are emitted live.
    if (const auto kind = ConvEvent::applied_kind(type)) {
        ConvEvent ev;
        ev.kind = *kind;
        ev.conv = conv_id;
        ev.ts = ts;
        ev.visitor = str(e, "visitor");
        ev.lang = str(e, "lang");
        ev.page = str(e, "page");
        ev.by = str(e, "by");
        apply_conv(ev);
        return;
    }
    auto cit = st_.conversations.find(conv_id);
    if (cit == st_.conversations.end()) return;  // events of a conversation we never saw open
    Conversation& c = cit->second;
    ++c.events;

    if (type == "message"sv) {
        apply_message(c, MessageEvent::from_json(e));
    } else if (type == "note"sv) {
        const std::uint64_t seq = ++c.last_seq;
        json f{{"type", "note"}, {"conv", c.id}, {"seq", seq}, {"ts", ts}, {"agent", str(e, "agent")}, {"text", e.value("text", json())}};
        history_to_extend(c).push_back({seq, false, f.dump(-1, ' ', false, json::error_handler_t::replace)});
    } else if (type == "handoff.requested"sv) {
        c.handed_off = true;
        c.priority = c.priority || e.value("priority", false);
        c.fallback_streak = 0;
        if (c.stage == Stage::bot || c.stage == Stage::resolved) {
            set_stage(c, Stage::queued);
            c.queued_ms = ts;
            enqueue(c, false);
        }
        c.last_activity_ms = ts;
        watch(c, ts);
    } else if (type == "conversation.assigned"sv) {
        const std::string agent = str(e, "agent");
        if (!c.agent.empty() && c.agent != agent) agent_record(c.agent).convs.erase(c.id);
        if (c.stage == Stage::queued) dequeue(c);
        set_stage(c, Stage::assigned);
        c.agent = agent;
        c.agent_replied = false;
        c.last_activity_ms = ts;
        Agent& a = agent_record(agent);
        a.convs.insert(c.id);
        a.last_assigned_ms = ts;
        watch(c, ts);
        const std::uint64_t seq = ++c.last_seq;
        history_to_extend(c).push_back({seq, true,
                             std::move(JsonOut(96).str("agent_name", agent).str("conv", c.id).num("seq", seq).num("ts", ts).str("type", "assigned")).done()});
    } else if (type == "conversation.transferred"sv) {
        agent_record(str(e, "from_agent")).convs.erase(c.id);
    } else if (type == "conversation.abandoned"sv) {
        close_conversation(c, ts, false, "");
    } else if (type == "conversation.tagged"sv) {
        c.tags.insert(str(e, "tag"));
    } else if (type == "nps"sv) {
        st_.visitors[c.visitor].nps_answered = true;
    }
}

void Router::apply(const Event& e) {
    if (const MessageEvent* m = e.message()) {
        if (auto c = st_.conversations.find(m->conv); c != st_.conversations.end()) {
            ++c->second.events;
            apply_message(c->second, *m);
        }
        return;
    }
    if (const ConvEvent* c = e.conv_event()) return apply_conv(*c);
    apply(e.as_json());
}

void Router::apply_conv(const ConvEvent& e) {
    if (e.conv.empty()) return;
    if (e.kind == ConvEvent::Kind::opened) {
        Conversation& c = st_.conversations[e.conv];
        c.id = e.conv;
        c.visitor = e.visitor;
        c.lang = e.lang;
        c.page = e.page.value_or("");
        c.opened_ms = c.last_activity_ms = e.ts;
        set_stage(c, Stage::bot);
        ++c.events;
        set_open(c, true);
        Visitor& v = st_.visitors[c.visitor];
        v.id = c.visitor;
        v.current = e.conv;
        v.convs.push_back(e.conv);
        if (!c.lang.empty()) v.lang = c.lang;
        if (!c.page.empty()) v.page = c.page;
        note_conversation_id(e.conv);
        watch(c, e.ts);
        return;
    }
    auto cit = st_.conversations.find(e.conv);
    if (cit == st_.conversations.end()) return;  // events of a conversation we never saw open
    Conversation& c = cit->second;
    ++c.events;
    switch (e.kind) {
    case ConvEvent::Kind::resolved: close_conversation(c, e.ts, true, e.by); break;
    case ConvEvent::Kind::reopened:
        set_stage(c, Stage::bot);
        c.agent.clear();
        c.fallback_streak = 0;
        c.last_activity_ms = e.ts;
        set_open(c, true);
        st_.visitors[c.visitor].current = c.id;
        watch(c, e.ts);
        break;
    case ConvEvent::Kind::opened:
    case ConvEvent::Kind::csat: break;  // a score changes nothing the router keeps
    }
}

// Resolved or abandoned: out of the queue and of its agent's load, and no longer open.
void Router::close_conversation(Conversation& c, std::int64_t ts, bool resolved, const std::string& by) {
    if (c.stage == Stage::queued) dequeue(c);
    if (!c.agent.empty()) agent_record(c.agent).convs.erase(c.id);
    set_stage(c, resolved ? Stage::resolved : Stage::abandoned);
    c.resolved_ms = ts;
    c.resolved_by = resolved ? by : "";
    set_open(c, false);
    if (resolved) {
        const std::uint64_t seq = ++c.last_seq;
        history_to_extend(c).push_back({seq, true, resolved_frame(c.id, seq, ts, c.resolved_by)});
    }
    if (read_log_ && cfg_.history_kept_ms >= 0) st_.closed.emplace_back(ts, c.id);
}

void Router::set_stage(Conversation& c, Stage stage) {
    if (c.is_open) {
        --st_.open_by_stage[static_cast<int>(c.stage)];
        ++st_.open_by_stage[static_cast<int>(stage)];
    }
    if (stage != Stage::queued) c.pushed_position = 0;  // out of the queue: its position is forgotten
    c.stage = stage;
}

void Router::enqueue(Conversation& c, bool front) {
    auto& q = c.priority ? st_.queue_priority : st_.queue_normal;
    if (front) q.push_front(c.id);
    else q.push_back(c.id);
    // Positions change from where it joined: behind it (front), or it alone (back), and for a
    // priority one every normal conversation too.
    const std::size_t at = (c.priority ? 0 : st_.queue_priority.size()) + (front ? 0 : q.size() - 1);
    queue_dirty_from_ = std::min(queue_dirty_from_, at);
}

void Router::dequeue(const Conversation& c) {
    std::size_t base = 0;
    for (auto* q : {&st_.queue_priority, &st_.queue_normal}) {
        if (auto it = std::find(q->begin(), q->end(), c.id); it != q->end()) {
            queue_dirty_from_ = std::min(queue_dirty_from_, base + static_cast<std::size_t>(it - q->begin()));
            q->erase(std::remove(it, q->end(), c.id), q->end());
        }
        base += q->size();
    }
}

void Router::set_open(Conversation& c, bool open) {
    if (c.is_open == open) return;
    c.is_open = open;
    if (open) {
        st_.open.insert(c.id);
        ++st_.open_by_stage[static_cast<int>(c.stage)];
    } else {
        st_.open.erase(c.id);
        --st_.open_by_stage[static_cast<int>(c.stage)];
    }
}

void Router::apply_message(Conversation& c, const MessageEvent& m) {
    const bool earlier = m.ts < c.last_activity_ms;  // a clock set back: its timeout comes sooner
    c.last_activity_ms = m.ts;
    if (earlier) watch(c, m.ts);
    const std::uint64_t seq = ++c.last_seq;
    history_to_extend(c).push_back({seq, true, message_frame(c, m, seq)});
    if (m.author == "visitor"sv) {
        if (m.text) c.preview = *m.text;
        if (m.client_id && !m.client_id->empty()) {
            Visitor& v = st_.visitors[c.visitor];
            remember(v.client_ids, v.client_id_order, *m.client_id, {m.msg, c.id, seq});
        }
    } else if (m.author == "bot"sv) {
        c.last_bot_outcome = m.outcome.value_or("");
        c.fallback_streak = c.last_bot_outcome == "fallback"sv ? c.fallback_streak + 1 : 0;
    } else if (m.author == "agent"sv) {
        c.agent_replied = true;
        if (m.client_id && !m.client_id->empty()) {
            Agent& a = agent_record(m.agent.value_or(""));
            remember(a.client_ids, a.client_id_order, *m.client_id, {m.msg, c.id, seq});
        }
    }
}

void Router::remember(IdMap<Sent>& ids, IdRing& order, const std::string& cid, Sent sent) {
    if (!ids.emplace(cid, std::move(sent)).second) return;
    const std::size_t kept = cfg_.client_ids_kept;
    if (kept == 0) {
        ids.erase(cid);
    } else if (order.ids.size() < kept) {
        order.ids.push_back(cid);
    } else {
        ids.erase(order.ids[order.oldest]);  // the oldest makes room
        order.ids[order.oldest] = cid;
        order.oldest = (order.oldest + 1) % kept;
    }
}

Agent& Router::agent_record(const std::string& id) {
    Agent& a = st_.agents[id];
    if (a.id.empty()) {
        a.id = id;
        if (auto p = profiles_.find(id); p != profiles_.end()) {
            a.langs = p->second.langs;
            a.capacity = p->second.capacity;
        }
    }
    return a;
}

void Router::note_conversation_id(const std::string& id) {
    // Ids this node made are "c<node>-<n>"; keep n above every one seen so none is reused.
    const std::string prefix = "c" + cfg_.node + "-";
    if (id.rfind(prefix, 0) != 0) return;
    try {
        st_.opened_count = std::max<std::uint64_t>(st_.opened_count, std::stoull(id.substr(prefix.size())));
    } catch (...) {
    }
}

}  // namespace chat::router
