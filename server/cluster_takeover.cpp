// cluster_takeover.cpp — the conversations' journals in Redis, visitors who come back through
// another node (served through the owner while it lives), and the takeover of a dead node's
// conversations (claim, then rebuild from the journal without writing it again): when one of
// their clients comes back, and by the sweep for those no client comes back for.
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

bool ClusterLink::journal(const router::Router& r, const std::vector<router::Event>& events, std::uint64_t batch) {
    if (client_->state() != cluster::LinkState::up) return false;  // served alone; written back at resync
    std::map<std::string, std::vector<std::string>> by_conv;
    for (const auto& ev : events) {
        const json& e = ev.as_json();
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
    json hello{{"k", "visitor_hello"}, {"from", node_}, {"s", s}, {"visitor", visitor}, {"token", token}};
    if (last_seq) hello["last_seq"] = *last_seq;
    client_->command({"HGET", store_->key({"visitor", visitor}), "conv"}, [self, s, hello, answer](std::error_code ec, cluster::Reply reply) {
        if (ec || reply.type != cluster::Reply::Type::string || reply.str.empty()) return answer();
        self->reach_owner(s, reply.str, hello, answer, 3);
    });
    return true;
}

void ClusterLink::reach_owner(SessionId s, const std::string& conv, const json& hello, std::function<void()> answer,
                              int hops) {
    auto self = shared_from_this();
    client_->command({"HGET", store_->key({"conv", conv}), "owner"}, [self, s, conv, hello, answer, hops](std::error_code ec, cluster::Reply o) {
        if (ec || o.type != cluster::Reply::Type::string || o.str.empty() || o.str == self->node_) return answer();
        const std::string owner = o.str;
        auto c = self->core();
        if (!c) return;
        // The owner lives: the visitor is served through it (their frames go there, its frames
        // come back). It is dead: the conversation is taken over here — unless another node
        // (its sweep, another of the visitor's tabs) took it first: then through that one.
        net::post(c->strand_, [self, c, s, hello, answer, conv, owner, hops] {
            if (!c->has_session(s)) return;
            self->proxied_[s] = owner;
            self->publish_to(owner, hello, [self, c, s, conv, hello, owner, answer, hops] {
                net::post(c->strand_, [self, s, conv, hello, owner, answer, hops] {
                    self->proxied_.erase(s);
                    self->take_over(
                        conv, 20,
                        [self, s, conv, hello, answer, hops](bool mine) {
                            if (mine || hops <= 0) return answer();
                            self->reach_owner(s, conv, hello, answer, hops - 1);
                        },
                        owner);
                });
            });
        });
    });
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

void ClusterLink::take_over(const std::string& conv, int attempts, std::function<void(bool)> done,
                            const std::string& from) {
    auto self = shared_from_this();
    auto c = core();
    if (!c) return;
    auto finish = [c, done](bool mine) { net::post(c->strand_, [done, mine] { done(mine); }); };
    store_->claim(conv, node_, now_ms(), kClaimGraceMs, [self, c, conv, attempts, done, finish, from](std::error_code ec, cluster::ClaimResult r) {
        if (ec) return finish(false);
        if (!r.ok) {
            // Taken over by another node: it lives, there is nothing to wait for.
            if (attempts <= 0 || (!from.empty() && r.owner != from)) return finish(false);
            // Its owner's liveness key still lives: dead or not, it is known within its lifetime.
            auto timer = std::make_shared<net::steady_timer>(self->ioc_, std::chrono::milliseconds(500));
            return timer->async_wait([self, timer, conv, attempts, done, from](error_code) {
                self->take_over(conv, attempts - 1, done, from);
            });
        }
        // This node's from now on, but not rebuilt yet: visitors' frames sent here wait for it.
        net::post(c->strand_, [self, conv] { self->rebuilding_.insert(conv); });
        self->store_->read_journal(conv, [self, c, conv, r, finish](std::error_code ec, std::vector<std::string> lines) {
            if (ec) {
                net::post(c->strand_, [self, conv] { self->rebuilt(conv); });
                return finish(false);
            }
            net::post(c->strand_, [self, c, conv, r, lines = std::move(lines), finish] {
                const bool here = c->router_->state().conversations.count(conv) != 0;
                // Rebuilt as the owner had it; nothing of it is written again.
                if (!here)
                    for (const auto& line : lines) {
                        json e = json::parse(line, nullptr, false);
                        if (e.is_object()) c->router_->apply(e);
                    }
                self->rebuilt(conv);
                if (here) return finish(true);  // already here
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

void ClusterLink::rebuilt(const std::string& conv) {
    rebuilding_.erase(conv);
    if (!rebuilding_.empty()) return;
    auto waiting = std::move(deferred_);
    deferred_.clear();
    for (const auto& m : waiting) remote_visitor(m);
}

// A dead node's open conversations, drawn at random by every live node each second: the
// first node to claim one takes it over (the others are refused, its new owner being alive).
// Rebuilt from its journal, a queued one is still in Redis's queue at its place and is
// assigned by the next drain (to an agent on any node); an assigned one stays its agent's,
// whose console is served through this node from then on; one with the bot is this node's.
void ClusterLink::sweep() {
    auto self = shared_from_this();
    store_->sweep(node_, now_ms(), kClaimGraceMs, kSweepMax, [self](std::error_code ec, std::vector<cluster::Store::Orphan> orphans) {
        if (ec || orphans.empty()) return;
        auto c = self->core();
        if (!c) return;
        net::post(c->strand_, [self, orphans = std::move(orphans)] {
            for (const auto& o : orphans)
                self->take_over(o.conv, 0, [self](bool mine) {
                    if (mine) self->drain();
                });
        });
    });
}

}  // namespace chat::server
