// cluster_queue.cpp — the shared queue: handoffs enqueued and drained through Redis's scripts,
// the assignments fed to the owners' routers, what a conversation's end frees, the owners'
// periodic comparison with Redis, and the agents' merged queue view.
#include "cluster_link.hpp"

#include <iostream>

#include "clock.hpp"
#include "cluster/store.hpp"  // not kpi/store.hpp
#include "cluster_link_parts.hpp"
#include "core.hpp"
#include "net.hpp"
#include "redis_client.hpp"
#include "router.hpp"

#include <algorithm>
#include <set>

namespace chat::server {

using json = nlohmann::json;
using namespace cluster_parts;

void ClusterLink::drain() {
    store_->drain(now_ms(), kDrainMax, [self = shared_from_this()](std::error_code ec, std::vector<cluster::Assignment> out) {
        if (ec) return;
        for (const auto& a : out) self->dispatch(a.conv, a.agent, a.agent_node, a.owner, "auto");
    });
}

void ClusterLink::dispatch(const std::string& conv, const std::string& agent, const std::string& agent_node,
                           const std::string& owner, const std::string& by) {
    note_agent(agent, agent_node);
    if (owner.empty() || owner == node_) return apply_assignment(conv, agent, by);
    // An owner that does not listen is dead (or cut off): the conversation is taken over here
    // when its liveness key has expired, and the assignment applied by the new owner. Otherwise
    // the sweep or the new owner's comparison with Redis (reconcile) applies it later.
    publish_to(owner, json{{"k", "assigned"}, {"conv", conv}, {"agent", agent}, {"agent_node", agent_node}, {"by", by}},
               [self = shared_from_this(), conv, owner, agent, by] {
                   std::cerr << "chatd: cluster: " << conv << " was assigned but its owner " << owner
                             << " does not listen" << std::endl;
                   auto c = self->core();
                   if (!c) return;
                   net::post(c->strand_, [self, conv, agent, by] {
                       self->take_over(conv, 0, [self, conv, agent, by](bool mine) {
                           if (mine) self->apply_assignment(conv, agent, by);
                       });
                   });
               });
}

void ClusterLink::apply_assignment(const std::string& conv, const std::string& agent, const std::string& by, bool retried) {
    auto c = core();
    if (!c || conv.empty() || agent.empty()) return;
    net::post(c->strand_, [self = shared_from_this(), c, conv, agent, by, retried] {
        const auto& st = c->router_->state();
        auto it = st.conversations.find(conv);
        const std::string from = it != st.conversations.end() ? it->second.agent : "";
        auto fx = c->router_->cluster_assigned(conv, agent, by, now_ms());
        if (fx.events.empty()) {
            // Not waiting here any more (resolved meanwhile, say): Redis learns what is true.
            if (it == st.conversations.end()) return;
            const auto& cv = it->second;
            if (cv.stage == router::Stage::assigned && cv.agent != agent && by != "transfer" && !retried) {
                // Its agent may have gone offline on another node, the news not here yet: Redis says.
                return self->client_->command({"HGET", self->store_->key({"agent", cv.agent}), "status"},
                                              [self, c, conv, agent, by, old = cv.agent](std::error_code ec, cluster::Reply st) {
                    const bool offline = !ec && st.type == cluster::Reply::Type::string && st.str == "offline";
                    net::post(c->strand_, [self, conv, agent, by, old, offline] {
                        if (offline) self->agent_went_offline(old, false);
                        self->apply_assignment(conv, agent, by, true);
                    });
                });
            }
            if (cv.stage == router::Stage::assigned) {
                self->store_->restore({cv.id, self->node_, "assigned", cv.agent, cv.visitor, cv.lang, cv.priority, cv.queued_ms},
                                      [](std::error_code, bool) {});
            } else {
                const bool ended = cv.stage == router::Stage::resolved || cv.stage == router::Stage::abandoned;
                self->store_->release(conv, router::stage_name(cv.stage), ended ? self->reopen_window_ms_ : 0,
                                      [self](std::error_code ec, std::string) {
                                          if (!ec) self->drain();
                                      });
            }
            return;
        }
        if (by == "transfer")
            fx.events.push_back({{"type", "audit"}, {"ts", now_ms()}, {"actor", from}, {"action", "transfer"},
                                 {"conv", conv}, {"target", conv}});
        c->run(std::move(fx), 0);
    });
}

void ClusterLink::events_written(const router::Router& r, const std::vector<router::Event>& events, SessionId) {
    const auto& st = r.state();
    bool freed = false;
    for (const auto& ev : events) {
        if (ev.message()) continue;  // none of the kinds below
        const json& e = ev.as_json();
        const std::string type = e.value("type", "");
        const std::string conv = e.value("conv", "");
        if (type == "handoff.requested") {
            auto it = st.conversations.find(conv);
            if (it == st.conversations.end() || it->second.stage != router::Stage::queued) continue;  // picked up at once
            const auto& cv = it->second;
            cluster::QueueEntry q{cv.id, node_, cv.visitor, cv.lang, cv.priority, e.value("ts", now_ms())};
            store_->enqueue(q, [self = shared_from_this(), visitor = cv.visitor](std::error_code ec, cluster::EnqueueResult) {
                if (!ec) return self->drain();
                // It keeps its place here, and joins the shared queue when Redis is back.
                auto c = self->core();
                if (!c) return;
                net::post(c->strand_, [c, visitor] {
                    router::Effects fx;  // after the handoff's own frames (ack, queued)
                    fx.on_durable.push_back({router::Send::To::visitor, visitor, 0,
                                      error_frame("unavailable", "no agent can be reached right now: you keep your place in the queue")});
                    c->run(std::move(fx), 0);
                });
            });
        } else if (type == "conversation.resolved" || type == "conversation.abandoned") {
            const bool resolved = type == "conversation.resolved";
            store_->release(conv, resolved ? "resolved" : "abandoned", reopen_window_ms_, [](std::error_code, std::string) {});
            freed = true;
        } else if (type == "agent.status") {
            const std::string agent = e.value("agent", "");
            const std::string status = e.value("status", "");
            auto a = st.agents.find(agent);
            if (a == st.agents.end()) continue;
            if (status == "offline") {
                if (offline_here_.erase(agent)) continue;  // written for another node's agent (agent_went_offline)
                // Redis queues its conversations again; their owners are told, so that their
                // routers do the same (and write it), then drain.
                store_->agent_offline(agent, now_ms(), [self = shared_from_this(), agent](std::error_code ec, std::vector<std::string> back) {
                    if (ec) return;
                    if (!back.empty())
                        std::cerr << "chatd: cluster: " << agent << " went offline holding " << back.size()
                                  << " conversations" << std::endl;
                    self->publish_to("", json{{"k", "agent_offline"}, {"agent", agent}, {"node", self->node_}, {"convs", back}});
                });
            } else {
                cluster::AgentPresence p{agent, node_, a->second.capacity, a->second.langs, status, now_ms()};
                store_->agent_online(p, [self = shared_from_this(), agent](std::error_code ec, long long) {
                    if (ec) return;
                    self->publish_to("", json{{"k", "presence"}, {"agent", agent}, {"node", self->node_}});
                    self->drain();
                });
            }
        }
    }
    if (freed) drain();
}

// An agent whose console is on another node went offline there (agent_offline.lua queued its
// conversations again in Redis): the ones this node owns go back to the head of its router's
// queue, as for a local agent, written here; then the shared queue is drained.
void ClusterLink::agent_went_offline(const std::string& agent, bool drain_anyway) {
    auto c = core();
    if (!c || agent.empty()) return;
    auto fx = c->router_->cluster_agent_offline(agent, now_ms());
    const bool wrote = !fx.events.empty();
    if (wrote) {
        std::cout << "chatd: cluster: " << agent << " went offline on another node: its conversations here are queued again"
                  << std::endl;
        offline_here_.insert(agent);
        c->run(std::move(fx), 0);
    }
    if (wrote || drain_anyway) drain();
}

// Pub/sub may lose an `assigned` message (the owner's subscriber was reconnecting): the
// owner's queued conversations are compared with Redis every 2 s. One Redis says assigned is
// assigned here too; one Redis has forgotten (restarted empty) is written back.
void ClusterLink::reconcile(const router::Router& r) {
    if (client_->state() != cluster::LinkState::up) return;
    const auto& st = r.state();
    // An agent of another node whose offline news was lost: Redis says it is offline.
    std::set<std::string> remote_agents;
    for (const auto& [id, a] : st.agents)
        if (!a.convs.empty() && a.sessions == 0) remote_agents.insert(id);
    for (const auto& agent : remote_agents) {
        client_->command({"HGET", store_->key({"agent", agent}), "status"}, [self = shared_from_this(), agent](std::error_code ec, cluster::Reply st) {
            auto c = self->core();
            if (ec || !c || st.type != cluster::Reply::Type::string || st.str != "offline") return;
            net::post(c->strand_, [self, agent] { self->agent_went_offline(agent, false); });
        });
    }
    for (const auto* q : {&st.queue_priority, &st.queue_normal}) {
        for (const auto& id : *q) {
            auto it = st.conversations.find(id);
            if (it == st.conversations.end()) continue;
            const auto& cv = it->second;
            cluster::Store::Held held{cv.id, node_, "queued", "", cv.visitor, cv.lang, cv.priority, cv.queued_ms};
            client_->command({"HMGET", store_->key({"conv", id}), "stage", "agent", "owner"},
                             [self = shared_from_this(), held](std::error_code ec, cluster::Reply reply) {
                if (ec || reply.elements.size() < 3) return;
                const auto& stage = reply.elements[0];
                const std::string agent = reply.elements[1].str, owner = reply.elements[2].str;
                if (stage.is_nil()) return self->store_->restore(held, [](std::error_code, bool) {});
                if (stage.str != "assigned" || agent.empty() || (owner != "" && owner != self->node_)) return;
                self->client_->command({"HGET", self->store_->key({"agent", agent}), "node"},
                                       [self, conv = held.conv, agent](std::error_code, cluster::Reply node) {
                    if (node.type == cluster::Reply::Type::string) self->note_agent(agent, node.str);
                    self->apply_assignment(conv, agent, "auto");
                });
            });
        }
    }
}

// ---------------------------------------------------------------------------------------
// The agents' queue view: every node's queue, merged

void ClusterLink::queue_changed(std::string frame) {
    json f = json::parse(frame, nullptr, false);
    json items = f.is_object() && f.contains("items") ? f["items"] : json::array();
    {
        std::lock_guard lock(mu_);
        queues_[node_] = {items, now_ms()};
    }
    publish_to("", json{{"k", "queue"}, {"node", node_}, {"items", items}});
    push_queue_view(false);
}

void ClusterLink::push_queue_view(bool force) {
    auto c = core();
    if (!c) return;
    const std::int64_t now = now_ms();
    std::vector<json> items;
    std::string view;
    {
        std::lock_guard lock(mu_);
        for (auto it = queues_.begin(); it != queues_.end();) {
            if (it->first != node_ && now - it->second.seen_ms > kQueueViewMs) {
                it = queues_.erase(it);
                continue;
            }
            for (const auto& item : it->second.items) items.push_back(item);
            ++it;
        }
        // Priority first, then by the time they were queued (ids break ties).
        std::sort(items.begin(), items.end(), [](const json& a, const json& b) {
            const bool pa = a.value("priority", false), pb = b.value("priority", false);
            if (pa != pb) return pa;
            const auto qa = a.value("queued_ms", std::int64_t{0}), qb = b.value("queued_ms", std::int64_t{0});
            if (qa != qb) return qa < qb;
            return a.value("conv", "") < b.value("conv", "");
        });
        std::size_t pos = 0;
        for (auto& item : items) item["position"] = ++pos;
        view = router::dump(json{{"type", "queue"}, {"items", items}});
        if (view == last_view_ && !force) return;
        last_view_ = view;
    }
    c->deliver_here("*", 0, {std::make_shared<const std::string>(view)});
}

void ClusterLink::tick(const router::Router& r) {
    store_->heartbeat(node_, kLivenessMs, [](std::error_code, bool) {});
    drain();
    if (client_->state() == cluster::LinkState::up) sweep();
    if (ticks_ % 2 == 1) reconcile(r);
    if (++ticks_ % 2 == 0) {
        json items;
        {
            std::lock_guard lock(mu_);
            items = queues_[node_].items;
            queues_[node_].seen_ms = now_ms();
        }
        if (!items.is_array()) items = json::array();
        publish_to("", json{{"k", "queue"}, {"node", node_}, {"items", items}});
        push_queue_view(false);
    }
}

}  // namespace chat::server
