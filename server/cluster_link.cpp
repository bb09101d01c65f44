// cluster_link.cpp — the cluster mode: the shared queue through Redis's scripts, frames between
// nodes over pub/sub, and writing back what this node holds when Redis comes back.
#include "cluster_link.hpp"

#include <iostream>

#include "clock.hpp"
#include "core.hpp"
#include "net.hpp"
#include "redis_client.hpp"
#include "router.hpp"
#include "cluster/store.hpp"  // not kpi/store.hpp
#include "websocket_session.hpp"

namespace chat::server {

using json = nlohmann::json;

namespace {
constexpr std::int64_t kLivenessMs = 3000;  // the node's key lives this long; renewed every second
constexpr std::int64_t kQueueViewMs = 5000;  // a node's queue not heard of for this long is dropped
constexpr int kDrainMax = 50;
// After Redis lost its data, no node is taken for dead before this: every live node has
// renewed its liveness key by then (heartbeat every second, reconnection backoff up to 5 s).
constexpr std::int64_t kClaimGraceMs = 7000;

std::vector<std::string> frame_texts(const std::vector<std::shared_ptr<const std::string>>& frames) {
    std::vector<std::string> out;
    out.reserve(frames.size());
    for (const auto& f : frames) out.push_back(*f);
    return out;
}

std::vector<std::shared_ptr<const std::string>> frames_of(const json& list) {
    std::vector<std::shared_ptr<const std::string>> out;
    if (!list.is_array()) return out;
    for (const auto& f : list)
        if (f.is_string()) out.push_back(std::make_shared<const std::string>(f.get<std::string>()));
    return out;
}

std::string error_frame(std::string_view code, std::string_view message) {
    return router::dump(json{{"type", "error"}, {"code", code}, {"message", message}});
}

const char* kRedisDown = "other nodes cannot be reached right now: try again shortly";
}  // namespace

// A session of another node, as the owner's core sees it: what the router sends to it goes
// back over pub/sub to that node, which hands it to the session.
class RemoteSession : public FrameSink {
public:
    RemoteSession(std::weak_ptr<ClusterLink> link, std::string node, SessionId s)
        : link_(std::move(link)), node_(std::move(node)), s_(s) {}
    void send(std::vector<std::shared_ptr<const std::string>> frames) override {
        if (auto link = link_.lock()) link->publish_to(node_, json{{"k", "session"}, {"s", s_}, {"frames", frame_texts(frames)}});
    }
    void close_after_flush(std::uint16_t, std::string) override {}

private:
    std::weak_ptr<ClusterLink> link_;
    std::string node_;
    SessionId s_;
};

ClusterLink::ClusterLink(net::io_context& ioc, const cluster::ClientOptions& opts, std::string node,
                         std::int64_t reopen_window_ms)
    : ioc_(ioc), node_(std::move(node)), url_(opts.url.describe()), reopen_window_ms_(reopen_window_ms) {
    cluster::ClientOptions o = opts;
    o.name = "chatd-" + node_;
    client_ = std::make_unique<cluster::RedisClient>(ioc, o);
    o.name = "chatd-" + node_ + "-sub";
    sub_ = std::make_unique<cluster::RedisSubscriber>(ioc, o, [this](const std::string& channel, const std::string& payload) {
        on_message(channel, payload);
    });
    store_ = std::make_unique<cluster::Store>(*client_);
}

ClusterLink::~ClusterLink() = default;

std::shared_ptr<Core> ClusterLink::core() { return core_.lock(); }

std::string ClusterLink::owner_of(const std::string& conv) {
    {
        std::lock_guard lock(mu_);
        if (auto it = owners_.find(conv); it != owners_.end()) return it->second;
    }
    const auto dash = conv.rfind('-');
    if (conv.size() < 3 || conv[0] != 'c' || dash == std::string::npos || dash < 2) return {};
    return conv.substr(1, dash - 1);
}

void ClusterLink::start(std::shared_ptr<Core> core) {
    core_ = core;
    std::weak_ptr<ClusterLink> weak = weak_from_this();
    client_->on_state([weak, url = url_](cluster::LinkState s) {
        auto self = weak.lock();
        if (!self) return;
        std::cout << "chatd: redis " << url << ": " << cluster::link_state_name(s)
                  << (s == cluster::LinkState::down ? " (" + self->client_->stats().last_error + ")" : "") << std::endl;
        self->on_link(s == cluster::LinkState::up);
    });
    // Frames published while the subscriber was reconnecting are lost: its agents get their
    // conversations from the owners again.
    sub_->on_state([weak](cluster::LinkState s) {
        auto self = weak.lock();
        auto c = self ? self->core() : nullptr;
        if (!c || s != cluster::LinkState::up) return;
        net::post(c->strand_, [self, c] {
            for (const auto& [id, a] : c->router_->state().agents)
                if (a.sessions > 0) self->views_elsewhere(id);
        });
    });
    sub_->subscribe(store_->key({"to", node_}));
    sub_->subscribe(store_->key({"agents"}));
    sub_->start();
    client_->start();
}

void ClusterLink::stop() {
    client_->stop();
    sub_->stop();
}

void ClusterLink::on_link(bool up) {
    if (!up) return;
    store_->mark_since(now_ms());
    store_->heartbeat(node_, kLivenessMs, [](std::error_code, bool) {});
    // Redis is (back) up: it may have lost everything (no persistence), or missed what
    // happened while it was away. Write again what this node holds.
    auto c = core();
    if (!c) return;
    net::post(c->strand_, [self = shared_from_this()] { self->resync(); });
}

void ClusterLink::resync() {
    auto c = core();
    if (!c) return;
    const auto& st = c->router_->state();

    for (const auto& [id, a] : st.agents) {
        if (a.sessions == 0 || a.status == "offline") continue;
        cluster::AgentPresence p{id, node_, a.capacity, a.langs, a.status, now_ms()};
        store_->agent_online(p, [self = shared_from_this(), id](std::error_code ec, long long) {
            if (!ec) self->publish_to("", json{{"k", "presence"}, {"agent", id}, {"node", self->node_}});
        });
        views_elsewhere(id);
    }
    int held = 0;
    for (const auto& id : st.open) {
        auto it = st.conversations.find(id);
        if (it == st.conversations.end()) continue;
        const auto& conv = it->second;
        if (conv.stage != router::Stage::queued && conv.stage != router::Stage::assigned) continue;
        cluster::Store::Held h{conv.id, node_, conv.stage == router::Stage::queued ? "queued" : "assigned",
                               conv.stage == router::Stage::assigned ? conv.agent : "", conv.visitor, conv.lang,
                               conv.priority, conv.queued_ms};
        store_->restore(h, [id](std::error_code ec, bool mine) {
            if (!ec && !mine) std::cerr << "chatd: cluster: " << id << " has another owner now" << std::endl;
        });
        ++held;
    }
    std::cout << "chatd: cluster: told redis what this node holds (" << held << " conversations)" << std::endl;
    drain();
    push_queue_view(true);
}

// ---------------------------------------------------------------------------------------
// Pub/sub

void ClusterLink::publish_to(const std::string& node, const json& payload, std::function<void()> failed) {
    const std::string channel = node.empty() ? store_->key({"agents"}) : store_->key({"to", node});
    store_->publish(channel, router::dump(payload), [failed = std::move(failed)](std::error_code ec, long long receivers) {
        if ((ec || receivers == 0) && failed) failed();
    });
}

void ClusterLink::on_message(const std::string& channel, const std::string& payload) {
    json m = json::parse(payload, nullptr, false);
    if (!m.is_object()) return;
    const std::string k = m.value("k", "");
    auto c = core();
    if (!c) return;
    if (channel == store_->key({"agents"})) {
        const std::string node = m.value("node", "");
        if (k == "presence") return note_agent(m.value("agent", ""), node);
        if (k == "owner") return note_owner(m.value("conv", ""), node);
        if (k == "queue" && node != node_) {
            {
                std::lock_guard lock(mu_);
                queues_[node] = {m.value("items", json::array()), now_ms()};
            }
            net::post(c->strand_, [self = shared_from_this()] { self->push_queue_view(false); });
        }
        return;
    }
    if (k == "agent") {
        net::post(c->strand_, [c, agent = m.value("agent", ""), frames = frames_of(m["frames"])]() mutable {
            c->deliver_here(agent.empty() ? "?" : agent, 0, std::move(frames));
        });
    } else if (k == "session") {
        net::post(c->strand_, [c, s = m.value("s", SessionId{0}), frames = frames_of(m["frames"])]() mutable {
            c->deliver_here("", s, std::move(frames));
        });
    } else if (k == "agent_frame") {
        // An agent on another node, for a conversation this node owns: handled as a local one.
        net::post(c->strand_, [self = shared_from_this(), c, m = std::move(m)] {
            const std::string from = m.value("from", "");
            const SessionId remote = m.value("s", SessionId{0});
            const std::string agent = m.value("agent", "");
            if (from.empty() || agent.empty() || !m.contains("frame")) return;
            self->note_agent(agent, from);
            SessionId id = 0;
            auto sink = self->remote_session(from, remote, id);
            c->attach_sink(id, sink);
            c->agent_frame_here(id, agent, m["frame"]);
        });
    } else if (k == "visitor_hello" || k == "visitor_frame" || k == "visitor_gone") {
        // A visitor served through another node, for a conversation this node owns.
        net::post(c->strand_, [self = shared_from_this(), c, k, m = std::move(m)] {
            const std::string from = m.value("from", ""), visitor = m.value("visitor", "");
            const SessionId remote = m.value("s", SessionId{0});
            if (from.empty() || visitor.empty()) return;
            SessionId id = 0;
            auto sink = self->remote_session(from, remote, id);
            if (k == "visitor_gone") {
                self->remote_sessions_.erase(from + "/" + std::to_string(remote));
                return c->visitor_gone(id, visitor);
            }
            c->attach_visitor(id, visitor, sink);
            if (k == "visitor_hello") {
                std::optional<std::uint64_t> last_seq;
                if (m.contains("last_seq") && m["last_seq"].is_number_unsigned()) last_seq = m["last_seq"].get<std::uint64_t>();
                return c->run(c->router_->visitor_connected(id, visitor, m.value("token", ""), last_seq, now_ms()), id);
            }
            if (m.contains("frame")) c->visitor_frame(id, visitor, m["frame"], m.value("lang", ""), m.value("page", ""));
        });
    } else if (k == "agent_view") {
        // An agent's console came back on another node: it gets the conversation again.
        note_agent(m.value("agent", ""), m.value("node", ""));
        net::post(c->strand_, [c, conv = m.value("conv", ""), agent = m.value("agent", "")] {
            const auto& st = c->router_->state();
            auto it = st.conversations.find(conv);
            if (it == st.conversations.end() || it->second.agent != agent || it->second.stage != router::Stage::assigned) return;
            router::Effects fx;
            fx.now.push_back({router::Send::To::agent, agent, 0, c->router_->assigned_frame(conv)});
            c->run(std::move(fx), 0);
        });
    } else if (k == "assigned") {
        note_agent(m.value("agent", ""), m.value("agent_node", ""));
        apply_assignment(m.value("conv", ""), m.value("agent", ""), m.value("by", "auto"));
    }
}

std::shared_ptr<RemoteSession> ClusterLink::remote_session(const std::string& node, SessionId remote, SessionId& id) {
    auto& slot = remote_sessions_[node + "/" + std::to_string(remote)];
    if (!slot.second) {
        slot.first = core()->new_session_id();
        slot.second = std::make_shared<RemoteSession>(weak_from_this(), node, remote);
    }
    id = slot.first;
    return slot.second;
}

void ClusterLink::note_owner(const std::string& conv, const std::string& node) {
    if (conv.empty() || node.empty()) return;
    std::lock_guard lock(mu_);
    owners_[conv] = node;
}

void ClusterLink::note_agent(const std::string& agent, const std::string& node) {
    if (agent.empty() || node.empty()) return;
    std::lock_guard lock(mu_);
    agent_nodes_[agent] = node;
}

std::string ClusterLink::agent_node(const std::string& agent) {
    std::lock_guard lock(mu_);
    auto it = agent_nodes_.find(agent);
    return it == agent_nodes_.end() ? std::string{} : it->second;
}

void ClusterLink::to_agent(const std::string& agent, const std::shared_ptr<const std::string>& frame) {
    const std::string node = agent_node(agent);
    if (node.empty() || node == node_) return;  // not connected anywhere we know of
    publish_to(node, json{{"k", "agent"}, {"agent", agent}, {"frames", json::array({*frame})}});
}

// ---------------------------------------------------------------------------------------
// The shared queue

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
    publish_to(owner, json{{"k", "assigned"}, {"conv", conv}, {"agent", agent}, {"agent_node", agent_node}, {"by", by}},
               [conv, owner] {
                   std::cerr << "chatd: cluster: " << conv << " was assigned but its owner " << owner
                             << " does not listen" << std::endl;
               });
}

void ClusterLink::apply_assignment(const std::string& conv, const std::string& agent, const std::string& by) {
    auto c = core();
    if (!c || conv.empty() || agent.empty()) return;
    net::post(c->strand_, [self = shared_from_this(), c, conv, agent, by] {
        const auto& st = c->router_->state();
        auto it = st.conversations.find(conv);
        const std::string from = it != st.conversations.end() ? it->second.agent : "";
        auto fx = c->router_->cluster_assigned(conv, agent, by, now_ms());
        if (fx.events.empty()) {
            // Not waiting here any more (resolved meanwhile, say): Redis learns what is true.
            if (it == st.conversations.end()) return;
            const auto& cv = it->second;
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

void ClusterLink::events_written(const router::Router& r, const std::vector<json>& events, SessionId) {
    const auto& st = r.state();
    bool freed = false;
    for (const auto& e : events) {
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
                store_->agent_offline(agent, now_ms(), [agent](std::error_code ec, std::vector<std::string> back) {
                    if (!ec && !back.empty())
                        std::cerr << "chatd: cluster: " << agent << " went offline holding " << back.size()
                                  << " conversations" << std::endl;
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

// ---------------------------------------------------------------------------------------
// Journals and takeover

bool ClusterLink::journal(const router::Router& r, const std::vector<json>& events, std::uint64_t batch) {
    if (client_->state() != cluster::LinkState::up) return false;  // served alone; written back at resync
    std::map<std::string, std::vector<std::string>> by_conv;
    for (const auto& e : events) {
        auto it = e.find("conv");
        if (it == e.end() || !it->is_string() || e.value("type", "") == "audit") continue;
        by_conv[it->get<std::string>()].push_back(router::dump(e));
    }
    if (by_conv.empty()) return false;
    auto left = std::make_shared<std::size_t>(by_conv.size());
    auto self = shared_from_this();
    for (auto& [conv, lines] : by_conv) {
        auto it = r.state().conversations.find(conv);
        const std::string visitor = it != r.state().conversations.end() ? it->second.visitor : "";
        store_->journal(conv, node_, visitor, 2 * reopen_window_ms_, std::move(lines),
                        [self, left, batch, conv](std::error_code ec, cluster::ClaimResult res) {
                            if (!ec && !res.ok)
                                std::cerr << "chatd: cluster: " << conv << " belongs to " << res.owner
                                          << " now: this node's events for it are not the cluster's" << std::endl;
                            if (--*left > 0) return;
                            if (auto c = self->core()) net::post(c->strand_, [c, batch] { c->journaled(batch); });
                        });
    }
    return true;
}

bool ClusterLink::visitor_hello(SessionId s, const std::string& visitor, const std::string& token,
                                std::optional<std::uint64_t> last_seq, const router::Router& r) {
    const auto& st = r.state();
    if (auto v = st.visitors.find(visitor); v != st.visitors.end() && !v->second.current.empty()) return false;
    if (client_->state() != cluster::LinkState::up) return false;
    auto self = shared_from_this();
    auto answer = [self, s, visitor, token, last_seq] {
        auto c = self->core();
        if (!c) return;
        net::post(c->strand_, [c, s, visitor, token, last_seq] {
            if (c->has_session(s)) c->run(c->router_->visitor_connected(s, visitor, token, last_seq, now_ms()), s);
        });
    };
    client_->command({"HGET", store_->key({"visitor", visitor}), "conv"}, [self, s, visitor, token, last_seq, answer](std::error_code ec, cluster::Reply reply) {
        if (ec || reply.type != cluster::Reply::Type::string || reply.str.empty()) return answer();
        const std::string conv = reply.str;
        self->client_->command({"HGET", self->store_->key({"conv", conv}), "owner"}, [self, s, visitor, token, last_seq, answer, conv](std::error_code ec, cluster::Reply o) {
            if (ec || o.type != cluster::Reply::Type::string || o.str.empty() || o.str == self->node_) return answer();
            const std::string owner = o.str;
            auto c = self->core();
            if (!c) return;
            // The owner lives: the visitor is served through it (their frames go there, its frames
            // come back). It is dead: the conversation is taken over here.
            net::post(c->strand_, [self, c, s, visitor, token, last_seq, answer, conv, owner] {
                if (!c->has_session(s)) return;
                self->proxied_[s] = owner;
                json hello{{"k", "visitor_hello"}, {"from", self->node_}, {"s", s}, {"visitor", visitor}, {"token", token}};
                if (last_seq) hello["last_seq"] = *last_seq;
                self->publish_to(owner, hello, [self, c, s, conv, answer] {
                    net::post(c->strand_, [self, s, conv, answer] {
                        self->proxied_.erase(s);
                        self->take_over(conv, 20, [answer](bool) { answer(); });
                    });
                });
            });
        });
    });
    return true;
}

bool ClusterLink::visitor_frame(SessionId s, const std::string& visitor, const json& frame, const std::string& lang,
                                const std::string& page) {
    auto it = proxied_.find(s);
    if (it == proxied_.end()) return false;
    const std::string type = frame.value("type", "");
    publish_to(it->second, json{{"k", "visitor_frame"}, {"from", node_}, {"s", s}, {"visitor", visitor}, {"frame", frame}, {"lang", lang}, {"page", page}},
               [self = shared_from_this(), s, type] {
                   if (type != "typing") self->tell(s, "unavailable", kRedisDown);
               });
    return true;
}

void ClusterLink::visitor_gone(SessionId s, const std::string& visitor) {
    auto it = proxied_.find(s);
    if (it == proxied_.end()) return;
    publish_to(it->second, json{{"k", "visitor_gone"}, {"from", node_}, {"s", s}, {"visitor", visitor}});
    proxied_.erase(it);
}

void ClusterLink::take_over(const std::string& conv, int attempts, std::function<void(bool)> done) {
    auto self = shared_from_this();
    auto c = core();
    if (!c) return;
    auto finish = [c, done](bool mine) { net::post(c->strand_, [done, mine] { done(mine); }); };
    store_->claim(conv, node_, now_ms(), kClaimGraceMs, [self, c, conv, attempts, done, finish](std::error_code ec, cluster::ClaimResult r) {
        if (ec) return finish(false);
        if (!r.ok) {
            if (attempts <= 0) return finish(false);
            // Its owner's liveness key still lives: dead or not, it is known within its lifetime.
            auto timer = std::make_shared<net::steady_timer>(self->ioc_, std::chrono::milliseconds(500));
            return timer->async_wait([self, timer, conv, attempts, done](error_code) { self->take_over(conv, attempts - 1, done); });
        }
        self->store_->read_journal(conv, [self, c, conv, r, finish](std::error_code ec, std::vector<std::string> lines) {
            if (ec) return finish(false);
            net::post(c->strand_, [self, c, conv, r, lines = std::move(lines), finish] {
                if (c->router_->state().conversations.count(conv)) return finish(true);  // already here
                // Rebuilt as the owner had it; nothing of it is written again.
                for (const auto& line : lines) {
                    json e = json::parse(line, nullptr, false);
                    if (e.is_object()) c->router_->apply(e);
                }
                if (!c->router_->state().conversations.count(conv)) return finish(false);  // no journal
                self->note_owner(conv, self->node_);
                std::cout << "chatd: cluster: took " << conv << " over from " << r.owner << " (epoch " << r.epoch << ", "
                          << lines.size() << " events)" << std::endl;
                self->publish_to("", json{{"k", "owner"}, {"conv", conv}, {"node", self->node_}});
                const auto& st = c->router_->state();
                auto it = st.conversations.find(conv);
                const std::string agent = it != st.conversations.end() && it->second.stage == router::Stage::assigned ? it->second.agent : "";
                if (agent.empty()) return finish(true);
                // Where its agent's console is, for the deliveries.
                self->client_->command({"HGET", self->store_->key({"agent", agent}), "node"}, [self, agent, finish](std::error_code, cluster::Reply n) {
                    if (n.type == cluster::Reply::Type::string) self->note_agent(agent, n.str);
                    finish(true);
                });
            });
        });
    });
}

// Pub/sub may lose an `assigned` message (the owner's subscriber was reconnecting): the
// owner's queued conversations are compared with Redis every 2 s. One Redis says assigned is
// assigned here too; one Redis has forgotten (restarted empty) is written back.
void ClusterLink::reconcile(const router::Router& r) {
    if (client_->state() != cluster::LinkState::up) return;
    const auto& st = r.state();
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
// Agents

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
