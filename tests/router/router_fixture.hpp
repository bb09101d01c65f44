// router_fixture.hpp — a Router driven by the real FAQ bot, plus helpers to read its effects.
#pragma once

#include <catch2/catch.hpp>

#include <stdexcept>

#include "bot.hpp"
#include "bot_adapter.hpp"
#include "router.hpp"

namespace chat::test {

using router::Effects;
using router::Send;
using nlohmann::json;

inline std::shared_ptr<const bot::KnowledgeBase> knowledge_base() {
    static auto kb = [] {
        auto r = bot::load_knowledge_base(CHAT_FAQ_DIR);
        if (auto* err = std::get_if<bot::LoadError>(&r)) throw std::runtime_error(bot::to_string(*err));
        return std::get<std::shared_ptr<const bot::KnowledgeBase>>(r);
    }();
    return kb;
}

inline router::BotFn real_bot() {
    auto kb = knowledge_base();
    return [kb](const std::string& text, const router::BotContext& ctx) { return router::ask_bot(*kb, text, ctx); };
}

// Events of a given type in the effects.
inline std::vector<json> events_of(const Effects& fx, const std::string& type) {
    std::vector<json> out;
    for (const auto& ev : fx.events)
        if (const json& e = ev.as_json(); e.value("type", "") == type) out.push_back(e);
    return out;
}

// Frames of `type` sent (now or on durability) to the visitor, agent or session `who`.
inline std::vector<json> frames_to(const Effects& fx, Send::To to, const std::string& who, const std::string& type,
                                   router::SessionId session = 0) {
    std::vector<json> out;
    for (const auto* list : {&fx.now, &fx.on_durable})
        for (const auto& s : *list) {
            if (s.to != to) continue;
            if (to == Send::To::session ? s.session != session : s.id != who) continue;
            json f = json::parse(s.frame);
            if (f.value("type", "") == type) out.push_back(f);
        }
    return out;
}

// Two routers hold the same state: conversations (stage, agent, numbering, the events counted
// for their places, every history frame…), queues, agents, and each visitor's client ids.
inline void same_state(const router::Router& a, const router::Router& b) {
    const auto& sa = a.state();
    const auto& sb = b.state();
    REQUIRE(sa.conversations.size() == sb.conversations.size());
    for (const auto& [id, c] : sa.conversations) {
        INFO(id);
        const auto& d = sb.conversations.at(id);
        CHECK(c.stage == d.stage);
        CHECK(c.agent == d.agent);
        CHECK(c.last_seq == d.last_seq);
        CHECK(c.events == d.events);
        CHECK(c.priority == d.priority);
        CHECK(c.tags == d.tags);
        CHECK(c.page == d.page);
        CHECK(c.preview == d.preview);
        REQUIRE(c.history.size() == d.history.size());
        for (std::size_t i = 0; i < c.history.size(); ++i) CHECK(c.history[i].frame == d.history[i].frame);
    }
    CHECK(sa.queue_priority == sb.queue_priority);
    CHECK(sa.queue_normal == sb.queue_normal);
    CHECK(sa.open == sb.open);
    for (const auto& [id, ag] : sa.agents) {
        CHECK(ag.status == sb.agents.at(id).status);
        CHECK(ag.convs == sb.agents.at(id).convs);
    }
    for (const auto& [id, v] : sa.visitors) CHECK(v.client_ids.size() == sb.visitors.at(id).client_ids.size());
}

// A router with a log: every effect's events are kept with v/node/seq like the core does.
struct Bench {
    router::RouterConfig cfg;
    router::Router r;
    std::vector<json> log;
    std::int64_t now = 1'700'000'000'000;
    std::uint64_t seq = 0;

    explicit Bench(router::RouterConfig c = {}) : cfg(c), r(c, real_bot()) {}

    Effects keep(Effects fx) {
        for (const auto& ev : fx.events) {
            json e = ev.as_json();
            e["v"] = 1;
            e["node"] = cfg.node;
            e["seq"] = ++seq;
            log.push_back(e);
        }
        return fx;
    }
    Effects say(const std::string& visitor, const std::string& text, const std::string& cid, router::SessionId s = 1,
                const std::string& lang = "") {
        return keep(r.visitor_frame(s, visitor, json{{"type", "message"}, {"text", text}, {"client_id", cid}}, lang, "/p", now));
    }
    Effects visitor(const std::string& visitor, json frame, router::SessionId s = 1) {
        return keep(r.visitor_frame(s, visitor, frame, "", "", now));
    }
    Effects agent(const std::string& agent, json frame, router::SessionId s = 100) {
        return keep(r.agent_frame(s, agent, frame, now));
    }
    // An agent logs in and goes online.
    Effects online(const std::string& agent, std::vector<std::string> langs = {"fr", "en"}, int capacity = 3,
                   router::SessionId s = 100) {
        r.set_agent_profile(agent, {langs, capacity});
        keep(r.agent_connected(s, agent, now));
        return agent_status(agent, "online", s);
    }
    Effects agent_status(const std::string& agent, const std::string& status, router::SessionId s = 100) {
        return keep(r.agent_frame(s, agent, json{{"type", "status"}, {"status", status}}, now));
    }
    const router::Conversation& conv(const std::string& id) { return r.state().conversations.at(id); }
    std::string current(const std::string& visitor) { return r.state().visitors.at(visitor).current; }
};

}  // namespace chat::test
