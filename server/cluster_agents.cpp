// cluster_agents.cpp — agents in the cluster: frames for conversations owned elsewhere
// forwarded to the owner, accept and transfer decided by Redis, and a console that comes back
// on another node getting its conversations again.
#include "cluster_link.hpp"

#include <iostream>

#include "clock.hpp"
#include "cluster/store.hpp"  // not kpi/store.hpp
#include "cluster_link_parts.hpp"
#include "core.hpp"
#include "net.hpp"
#include "redis_client.hpp"
#include "router.hpp"

namespace chat::server {

using json = nlohmann::json;
using namespace cluster_parts;

void ClusterLink::tell(SessionId s, const std::string& code, const std::string& message) {
    auto c = core();
    if (!c) return;
    net::post(c->strand_, [c, s, code, message] {
        router::Effects fx;
        fx.error(s, code, message);
        c->run(std::move(fx), 0);
    });
}

bool ClusterLink::agent_frame(SessionId s, const std::string& agent, const json& frame, const router::Router& r) {
    auto conv_it = frame.find("conv");
    if (conv_it == frame.end() || !conv_it->is_string()) return false;
    const std::string conv = conv_it->get<std::string>();
    const std::string type = frame.value("type", "");
    const auto& st = r.state();
    auto it = st.conversations.find(conv);
    if (it == st.conversations.end()) {
        const std::string owner = owner_of(conv);
        if (owner.empty() || owner == node_) return false;  // the router answers not_found
        // Owned by another node: handled there, answered through it.
        forward(s, agent, frame, owner, true);
        return true;
    }
    const auto& c = it->second;
    if (type == "accept") {
        if (c.stage == router::Stage::assigned && c.agent == agent) return false;  // "already yours"
        if (c.stage != router::Stage::queued && c.stage != router::Stage::bot) return false;  // "not waiting"
        accept(s, agent, conv, c.stage == router::Stage::bot, c.visitor, c.lang);
        return true;
    }
    if (type == "transfer") {
        const std::string to = frame.contains("to") && frame["to"].is_string() ? frame["to"].get<std::string>() : "";
        if (c.stage != router::Stage::assigned || c.agent != agent || to.empty() || to == agent) return false;
        transfer(s, agent, conv, to);
        return true;
    }
    return false;
}

void ClusterLink::forward(SessionId s, const std::string& agent, const json& frame, const std::string& owner, bool retry) {
    const std::string conv = frame.value("conv", ""), type = frame.value("type", "");
    auto self = shared_from_this();
    auto refuse = [self, s, type] {
        if (type != "typing") self->tell(s, "unavailable", kRedisDown);
    };
    publish_to(owner, json{{"k", "agent_frame"}, {"from", node_}, {"s", s}, {"agent", agent}, {"frame", frame}},
               [self, s, agent, frame, owner, retry, conv, refuse] {
                   if (!retry || self->client_->state() != cluster::LinkState::up) return refuse();
                   // Nobody listens for it there: taken over by another node, or its owner died.
                   self->client_->command({"HGET", self->store_->key({"conv", conv}), "owner"},
                                          [self, s, agent, frame, owner, conv, refuse](std::error_code ec, cluster::Reply r) {
                       if (ec) return refuse();
                       if (r.type == cluster::Reply::Type::string && r.str != owner && r.str != self->node_) {
                           self->note_owner(conv, r.str);
                           return self->forward(s, agent, frame, r.str, false);
                       }
                       self->take_over(conv, 0, [self, s, agent, frame, refuse](bool mine) {
                           auto c = self->core();
                           if (!mine || !c) return refuse();
                           c->agent_frame_here(s, agent, frame);  // on the core's strand
                       });
                   });
               });
}

namespace {
// Redis's reasons (assign.lua) in the words the router uses on a single node.
std::pair<std::string, std::string> refusal(const std::string& reason, bool transfer) {
    if (reason == "agent_full")
        return transfer ? std::pair{"unavailable", "that agent is at capacity"} : std::pair{"forbidden", "you are at capacity"};
    if (reason == "agent_offline")
        return transfer ? std::pair{"unavailable", "that agent is not online"} : std::pair{"forbidden", "you are not online"};
    if (reason == "not_assigned") return {"forbidden", "this conversation is not assigned to you"};
    if (reason == "same_agent") return {"bad_request", "cannot transfer to yourself"};
    return {"forbidden", "this conversation is not waiting"};
}
}  // namespace

void ClusterLink::accept(SessionId s, const std::string& agent, const std::string& conv, bool from_bot,
                         const std::string& visitor, const std::string& lang) {
    auto self = shared_from_this();
    auto assign = [self, s, agent, conv, from_bot] {
        self->store_->assign(conv, now_ms(), agent, "manual", [self, s, agent, conv, from_bot](std::error_code ec, cluster::AssignResult r) {
            if (ec) return self->tell(s, "unavailable", kRedisDown);
            if (!r.ok) {
                if (from_bot) self->store_->release(conv, "bot", 0, [](std::error_code, std::string) {});
                auto [code, message] = refusal(r.reason, false);
                return self->tell(s, code, message);
            }
            self->dispatch(conv, r.assignment.agent, r.assignment.agent_node, self->node_, "manual");
        });
    };
    if (!from_bot) return assign();
    // Still with the bot: Redis learns of it first (as a queued conversation), then the agent takes it.
    store_->enqueue({conv, node_, visitor, lang, false, now_ms()}, [self, s, assign](std::error_code ec, cluster::EnqueueResult) {
        if (ec) return self->tell(s, "unavailable", kRedisDown);
        assign();
    });
}

void ClusterLink::transfer(SessionId s, const std::string&, const std::string& conv, const std::string& to) {
    auto self = shared_from_this();
    store_->assign(conv, now_ms(), to, "transfer", [self, s, conv](std::error_code ec, cluster::AssignResult r) {
        if (ec) return self->tell(s, "unavailable", kRedisDown);
        if (!r.ok) {
            auto [code, message] = refusal(r.reason, true);
            return self->tell(s, code, message);
        }
        self->dispatch(conv, r.assignment.agent, r.assignment.agent_node, self->node_, "transfer");
    });
}

// An agent's conversations owned by other nodes (its console was on another node before, or
// this node's subscriber missed frames while it reconnected): each owner sends them again;
// those of a dead owner are taken over here.
void ClusterLink::views_elsewhere(const std::string& agent) {
    client_->command({"SMEMBERS", store_->key({"agent", agent, "convs"})}, [self = shared_from_this(), agent](std::error_code ec, cluster::Reply r) {
        if (ec || r.type != cluster::Reply::Type::array) return;
        for (const auto& e : r.elements) {
            const std::string conv = e.str;
            self->client_->command({"HGET", self->store_->key({"conv", conv}), "owner"}, [self, conv, agent](std::error_code ec, cluster::Reply o) {
                if (ec || o.type != cluster::Reply::Type::string || o.str == self->node_) return;
                self->note_owner(conv, o.str);
                self->publish_to(o.str, json{{"k", "agent_view"}, {"conv", conv}, {"agent", agent}, {"node", self->node_}}, [self, conv, agent] {
                    self->take_over(conv, 0, [self, conv, agent](bool mine) {
                        auto c = self->core();
                        if (!mine || !c) return;
                        router::Effects fx;
                        fx.now.push_back({router::Send::To::agent, agent, 0, c->router_->assigned_frame(conv)});
                        c->run(std::move(fx), 0);
                    });
                });
            });
        }
    });
}

void ClusterLink::agent_connected(SessionId s, const std::string& agent, const router::Router& r) {
    auto it = r.state().agents.find(agent);
    if (it != r.state().agents.end() && it->second.status != "offline") {
        // Back (on this node, maybe after another): Redis learns where its console is now.
        cluster::AgentPresence p{agent, node_, it->second.capacity, it->second.langs, it->second.status, now_ms()};
        store_->agent_online(p, [self = shared_from_this(), agent](std::error_code ec, long long) {
            if (ec) return;
            self->publish_to("", json{{"k", "presence"}, {"agent", agent}, {"node", self->node_}});
            self->drain();
        });
    }
    views_elsewhere(agent);
    std::string view;
    {
        std::lock_guard lock(mu_);
        view = last_view_;
    }
    if (auto c = core(); c && !view.empty()) c->deliver_here("", s, {std::make_shared<const std::string>(view)});
}

}  // namespace chat::server
