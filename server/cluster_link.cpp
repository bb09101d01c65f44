// cluster_link.cpp — a node's link to the cluster: the connections to Redis, what is written
// back when Redis comes back, and the messages between nodes over pub/sub. The shared queue is
// in cluster_queue.cpp, agents' frames in cluster_agents.cpp, journals and takeover in
// cluster_takeover.cpp.
#include "cluster_link.hpp"

#include <iostream>

#include "clock.hpp"
#include "cluster/store.hpp"  // not kpi/store.hpp
#include "cluster_link_parts.hpp"
#include "core.hpp"
#include "net.hpp"
#include "redis_client.hpp"
#include "router.hpp"
#include "websocket_session.hpp"

namespace chat::server {

using json = nlohmann::json;
using namespace cluster_parts;

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

// A frame of a visitor served through another node (`k`: visitor_hello, visitor_frame,
// visitor_gone), handled as a local session's. Core strand.
void ClusterLink::remote_visitor(const json& m) {
    auto c = core();
    if (!c) return;
    const std::string k = m.value("k", ""), from = m.value("from", ""), visitor = m.value("visitor", "");
    const SessionId remote = m.value("s", SessionId{0});
    if (from.empty() || visitor.empty()) return;
    SessionId id = 0;
    auto sink = remote_session(from, remote, id);
    if (k == "visitor_gone") {
        remote_sessions_.erase(from + "/" + std::to_string(remote));
        return c->visitor_gone(id, visitor);
    }
    c->attach_visitor(id, visitor, sink);
    if (k == "visitor_hello") {
        std::optional<std::uint64_t> last_seq;
        if (m.contains("last_seq") && m["last_seq"].is_number_unsigned()) last_seq = m["last_seq"].get<std::uint64_t>();
        return c->run(c->router_->visitor_connected(id, visitor, m.value("token", ""), last_seq, now_ms()), id);
    }
    if (m.contains("frame")) c->visitor_frame(id, visitor, m["frame"], m.value("lang", ""), m.value("page", ""));
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
        if (k == "agent_offline") {
            net::post(c->strand_, [self = shared_from_this(), agent = m.value("agent", ""), mine = node == node_] {
                self->agent_went_offline(agent, mine);
            });
            return;
        }
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
        net::post(c->strand_, [self = shared_from_this(), m = std::move(m)]() mutable {
            if (!self->rebuilding_.empty()) return self->deferred_.push_back(std::move(m));
            self->remote_visitor(m);
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

}  // namespace chat::server
