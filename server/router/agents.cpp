// agents.cpp — the agent's side of the router (presence, replies, notes, tags, transfer,
// accept, resolve) and the passing of time (inactivity, abandonment, grace periods).
#include "router.hpp"

#include <algorithm>

#include "json_in.hpp"

namespace chat::router {

using namespace std::string_view_literals;

void Router::set_agent_profile(const std::string& agent, AgentProfile profile) {
    profiles_[agent] = profile;
    if (auto it = st_.agents.find(agent); it != st_.agents.end()) {
        it->second.langs = profile.langs;
        it->second.capacity = profile.capacity;
    }
}

Effects Router::agent_connected(SessionId s, const std::string& agent, std::int64_t now) {
    Effects fx;
    Agent& a = agent_record(agent);
    a.sessions++;
    json convs = json::array();
    for (const auto& id : a.convs) convs.push_back(assigned_frame_for_agent(st_.conversations.at(id)));
    fx.now.push_back({Send::To::session, {}, s,
                      dump(json{{"type", "hello"},
                                {"agent", agent},
                                {"status", a.status},
                                {"langs", a.langs},
                                {"capacity", a.capacity},
                                {"conversations", convs}})});
    fx.now.push_back({Send::To::session, {}, s, queue_frame()});
    // Back within the grace period, or online and now reachable: the queue may move.
    drain_queue(fx, now);
    finish(fx);
    return fx;
}

Effects Router::agent_disconnected(SessionId, const std::string& agent, std::int64_t now) {
    Effects fx;
    auto it = st_.agents.find(agent);
    if (it != st_.agents.end() && it->second.sessions > 0 && --it->second.sessions == 0) it->second.disconnected_ms = now;
    return fx;
}

void Router::agent_goes_offline(Effects& fx, const std::string& agent, std::int64_t now) {
    Agent& a = agent_record(agent);
    std::vector<std::string> had(a.convs.begin(), a.convs.end());
    emit(fx, json{{"type", "agent.status"}, {"ts", now}, {"agent", agent}, {"status", "offline"}});
    for (const auto& id : had) {
        fx.on_durable.push_back({Send::To::agent, agent, 0, dump(json{{"type", "closed"}, {"conv", id}, {"reason", "requeued"}})});
    }
    drain_queue(fx, now);
}

Effects Router::agent_removed(const std::string& agent, std::int64_t now) {
    Effects fx;
    profiles_.erase(agent);
    auto it = st_.agents.find(agent);
    if (it != st_.agents.end() && it->second.status != "offline"sv) agent_goes_offline(fx, agent, now);
    finish(fx);
    return fx;
}

Effects Router::cluster_agent_offline(const std::string& agent, std::int64_t now) {
    Effects fx;
    auto it = st_.agents.find(agent);
    if (it != st_.agents.end() && !it->second.convs.empty()) agent_goes_offline(fx, agent, now);
    finish(fx);
    return fx;
}

Effects Router::agent_frame(SessionId s, const std::string& agent, const json& frame, std::int64_t now) {
    Effects fx;
    const std::string type = frame.value("type", "");
    Agent& a = agent_record(agent);

    if (type == "status"sv) {
        const std::string status = frame.value("status", "");
        if (status != "online"sv && status != "away"sv && status != "offline"sv) {
            fx.error(s, "bad_request", "status must be online, away or offline");
            return fx;
        }
        // The confirmation goes first, so the console knows its state before any assignment.
        fx.on_durable.push_back({Send::To::agent, agent, 0, dump(json{{"type", "status"}, {"status", status}})});
        if (status == "offline"sv) {
            if (a.status != "offline"sv) agent_goes_offline(fx, agent, now);
        } else if (status != a.status) {
            emit(fx, json{{"type", "agent.status"}, {"ts", now}, {"agent", agent}, {"status", status}});
            drain_queue(fx, now);
        }
        finish(fx);
        return fx;
    }
    if (type == "typing"sv && !frame.contains("conv")) {
        fx.error(s, "bad_request", "typing needs \"conv\"");
        return fx;
    }

    // Everything else names a conversation.
    const json& conv = member(frame, "conv");
    if (!conv.is_string()) {
        if (type == "message"sv || type == "note"sv || type == "transfer"sv || type == "resolve"sv || type == "tag"sv ||
            type == "accept"sv || type == "typing"sv)
            fx.error(s, "bad_request", "\"" + type + "\" needs a \"conv\" string");
        else
            fx.error(s, "bad_request", "unknown frame type '" + type + "'");
        return fx;
    }
    auto cit = st_.conversations.find(conv.get<std::string>());
    if (cit == st_.conversations.end()) {
        fx.error(s, "not_found", "no such conversation");
        return fx;
    }
    Conversation& c = cit->second;

    if (type == "accept"sv) {
        if (c.stage == Stage::assigned && c.agent == agent) {
            fx.error(s, "bad_request", "already yours");
        } else if (c.stage != Stage::queued && c.stage != Stage::bot) {
            fx.error(s, "forbidden", "this conversation is not waiting");
        } else if (static_cast<int>(a.convs.size()) >= a.capacity) {
            fx.error(s, "forbidden", "you are at capacity");
        } else {
            if (c.stage == Stage::bot)
                emit(fx, json{{"type", "handoff.requested"}, {"conv", c.id}, {"ts", now}, {"reason", "agent_pickup"}});
            emit(fx, json{{"type", "conversation.assigned"}, {"conv", c.id}, {"ts", now}, {"agent", agent}, {"by", "manual"}});
            send_assignment(fx, c, agent);
        }
        finish(fx);
        return fx;
    }

    if (c.stage != Stage::assigned || c.agent != agent) {
        fx.error(s, "forbidden", "this conversation is not assigned to you");
        return fx;
    }

    if (type == "message"sv) {
        const json& text = member(frame, "text");
        const json& cid = member(frame, "client_id");
        if (!cid.is_string() || cid.get_ref<const std::string&>().empty() || cid.get_ref<const std::string&>().size() > 128) {
            fx.error(s, "bad_request", "message needs a \"client_id\" string of 1 to 128 characters");
        } else if (!text.is_string() || text.get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos) {
            fx.error(s, "bad_request", "message needs a non-empty \"text\"");
        } else if (auto dup = a.client_ids.find(cid.get<std::string>()); dup != a.client_ids.end()) {
            fx.on_durable.push_back({Send::To::session, {}, s,
                                     ack_frame(cid.get_ref<const std::string&>(), dup->second.conv, dup->second.msg, dup->second.seq)});
        } else {
            const std::string msg = c.id + "." + std::to_string(c.last_seq + 1);
            MessageEvent m;
            m.conv = c.id;
            m.ts = now;
            m.msg = msg;
            m.author = "agent";
            m.agent = agent;
            m.text = text.get<std::string>();
            m.client_id = cid.get<std::string>();
            emit(fx, std::move(m));
            fx.on_durable.push_back({Send::To::session, {}, s,
                                     ack_frame(cid.get_ref<const std::string&>(), c.id, msg, c.last_seq)});
            deliver(fx, c, c.history.back().frame, true);
        }
    } else if (type == "note"sv) {
        const json& text = member(frame, "text");
        if (!text.is_string() || text.get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos) {
            fx.error(s, "bad_request", "note needs a non-empty \"text\"");
        } else {
            emit(fx, json{{"type", "note"}, {"conv", c.id}, {"ts", now}, {"agent", agent}, {"text", text}});
            deliver(fx, c, c.history.back().frame, false);
        }
    } else if (type == "tag"sv) {
        const json& tag = member(frame, "tag");
        if (!tag.is_string() || tag.get_ref<const std::string&>().empty() || tag.get_ref<const std::string&>().size() > 64) {
            fx.error(s, "bad_request", "tag needs a \"tag\" string of 1 to 64 characters");
        } else if (!c.tags.count(tag.get<std::string>())) {
            emit(fx, json{{"type", "conversation.tagged"}, {"conv", c.id}, {"ts", now}, {"tag", tag}, {"agent", agent}});
            fx.on_durable.push_back({Send::To::agent, agent, 0, dump(json{{"type", "tagged"}, {"conv", c.id}, {"tags", c.tags}})});
        }
    } else if (type == "transfer"sv) {
        const std::string to = frame.value("to", "");
        auto target = st_.agents.find(to);
        if (to == agent) {
            fx.error(s, "bad_request", "cannot transfer to yourself");
        } else if (target == st_.agents.end() || !profiles_.count(to)) {
            fx.error(s, "not_found", "no such agent");
        } else if (target->second.status != "online"sv || target->second.sessions == 0) {
            fx.error(s, "unavailable", "that agent is not online");
        } else if (static_cast<int>(target->second.convs.size()) >= target->second.capacity) {
            fx.error(s, "unavailable", "that agent is at capacity");
        } else {
            emit(fx, json{{"type", "conversation.transferred"}, {"conv", c.id}, {"ts", now}, {"from_agent", agent}, {"to_agent", to}});
            emit(fx, json{{"type", "conversation.assigned"}, {"conv", c.id}, {"ts", now}, {"agent", to}, {"by", "transfer"}});
            fx.on_durable.push_back({Send::To::agent, agent, 0, dump(json{{"type", "closed"}, {"conv", c.id}, {"reason", "transferred"}, {"to", to}})});
            send_assignment(fx, c, to);
            drain_queue(fx, now);
        }
    } else if (type == "resolve"sv) {
        resolve(fx, c, "agent", agent, now);
    } else if (type == "typing"sv) {
        fx.now.push_back({Send::To::visitor, c.visitor, 0,
                          dump(json{{"type", "typing"}, {"on", frame.value("on", false)}, {"author", "agent"}, {"agent_name", agent}})});
    } else {
        fx.error(s, "bad_request", "unknown frame type '" + type + "'");
    }
    finish(fx);
    return fx;
}

void Router::finish_replay(std::int64_t now) {
    for (auto& [id, a] : st_.agents) {
        a.sessions = 0;
        a.disconnected_ms = now;
    }
    for (auto& [id, v] : st_.visitors) {
        v.sessions = 0;
        v.disconnected_ms = now;
    }
    queue_dirty_from_ = std::string::npos;
    // Before the first shopper connects, not in the first tick: one look at every open
    // conversation (~1 µs each) is a pause nobody waits behind here.
    schedule_every_open(now);
    trim(now);
}

void Router::restore_sessions(const std::unordered_map<std::string, int>& visitors,
                              const std::unordered_map<std::string, int>& agents) {
    for (const auto& [id, n] : visitors)
        if (auto it = st_.visitors.find(id); it != st_.visitors.end()) it->second.sessions = n;
    for (const auto& [id, n] : agents) agent_record(id).sessions = n;
}

Effects Router::tick(std::int64_t now) {
    Effects fx;
    for (auto& [id, a] : st_.agents) {
        if (a.status != "offline"sv && a.sessions == 0 && now - a.disconnected_ms > cfg_.agent_grace_ms)
            agent_goes_offline(fx, id, now);
    }
    if (!deadlines_ready_) schedule_every_open(now);  // a router that never replayed
    // The open conversations whose time may have come, in the order of the open set.
    std::vector<std::string> due;
    deadlines_.take_due(now, [&](const std::string& id, std::int64_t at) {
        auto it = st_.conversations.find(id);
        if (it == st_.conversations.end() || it->second.check_at != at) return false;  // replaced since
        it->second.check_at = Deadlines::never;
        return it->second.is_open;
    }, due);
    std::sort(due.begin(), due.end());
    for (const auto& id : due) {
        Conversation& c = st_.conversations[id];
        time_out(fx, c, now);
        if (c.is_open) deadlines_.schedule(id, c.check_at, next_check(c, now));
    }
    if (!fx.events.empty()) drain_queue(fx, now);
    finish(fx);
    trim(now);
    return fx;
}

void Router::schedule_every_open(std::int64_t now) {
    if (deadlines_ready_) {
        deadlines_.clear();
        for (auto& [id, c] : st_.conversations) c.check_at = Deadlines::never;
    }
    for (const auto& id : st_.open) {
        Conversation& c = st_.conversations[id];
        deadlines_.schedule(id, c.check_at, next_check(c, now));
    }
    deadlines_ready_ = true;
}

std::int64_t Router::next_check(const Conversation& c, std::int64_t now) const {
    // Each the first `now` at which time_out's condition (`now - since > limit`) holds.
    switch (c.stage) {
    case Stage::bot: return add_ms(c.last_activity_ms, add_ms(cfg_.bot_inactivity_ms, 1));
    case Stage::assigned: return add_ms(c.last_activity_ms, add_ms(cfg_.agent_inactivity_ms, 1));
    case Stage::queued:
        // A visitor still here abandons nothing before leaving, which is `now` at the earliest.
        return add_ms(visitor_gone_since(c).value_or(now), add_ms(cfg_.queue_abandon_ms, 1));
    default: return Deadlines::never;
    }
}

void Router::watch(Conversation& c, std::int64_t ts) {
    if (deadlines_ready_) deadlines_.schedule(c.id, c.check_at, next_check(c, ts));
}

std::optional<std::int64_t> Router::visitor_gone_since(const Conversation& c) const {
    const auto v = st_.visitors.find(c.visitor);
    if (v == st_.visitors.end()) return c.last_activity_ms;
    if (v->second.sessions > 0) return std::nullopt;
    return std::max(v->second.disconnected_ms, c.last_activity_ms);
}

void Router::time_out(Effects& fx, Conversation& c, std::int64_t now) {
    const std::string& id = c.id;
    switch (c.stage) {
    case Stage::bot:
        if (now - c.last_activity_ms > cfg_.bot_inactivity_ms) {
            if (c.last_bot_outcome == "answer"sv || c.last_bot_outcome == "smalltalk"sv)
                resolve(fx, c, "timeout", "", now);
            else
                emit(fx, json{{"type", "conversation.abandoned"}, {"conv", id}, {"ts", now}, {"stage", "bot"}});
        }
        break;
    case Stage::queued:
        if (const auto gone = visitor_gone_since(c); gone && now - *gone > cfg_.queue_abandon_ms)
            emit(fx, json{{"type", "conversation.abandoned"}, {"conv", id}, {"ts", now}, {"stage", "queue"}});
        break;
    case Stage::assigned:
        if (now - c.last_activity_ms > cfg_.agent_inactivity_ms) {
            const std::string agent = c.agent;
            if (c.agent_replied) {
                resolve(fx, c, "timeout", "", now);
            } else {
                emit(fx, json{{"type", "conversation.abandoned"}, {"conv", id}, {"ts", now}, {"stage", "agent"}});
                fx.on_durable.push_back({Send::To::agent, agent, 0, dump(json{{"type", "closed"}, {"conv", id}, {"reason", "abandoned"}})});
            }
        }
        break;
    default:
        break;
    }
}

}  // namespace chat::router
