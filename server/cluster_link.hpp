// cluster_link.hpp — a node's part in the cluster (chatd --redis, docs/scaling.md).
//
// The core stays what it is on a single node: one router, one log, one strand. This link is
// what it adds when several nodes share one Redis: the decisions that involve other nodes go
// through Redis (agents' presence and capacity, the shared queue and its assignments, by the
// Lua scripts of server/cluster), and frames travel between nodes over pub/sub:
//   {chat}:to:<node>  frames for that node's sessions, agents' frames for the conversations
//                     it owns, assignments of its conversations;
//   {chat}:agents     every node's queue (merged by each node for its own agents), and where
//                     each agent's console is.
// A conversation's owner (the node that opened it) writes all of its events; an agent on
// another node is served through the owner exactly as a local one. When Redis is down the
// node keeps serving what it holds alone and refuses the rest with `unavailable`; when Redis
// is back it writes again what it holds (agents, queue, assignments).
//
// Threads: the on-core methods run on the core's strand (the core calls them); Redis
// callbacks run on the client's strand and post back to the core's. Asio stays out of here.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace boost::asio {
class io_context;
}
namespace chat::router {
class Router;
class Event;
}
namespace chat::cluster {
class RedisClient;
class RedisSubscriber;
class Store;
struct ClientOptions;
}  // namespace chat::cluster

namespace chat::server {

class Core;
class RemoteSession;
using SessionId = std::uint64_t;

class ClusterLink : public std::enable_shared_from_this<ClusterLink> {
public:
    // reopen_window_ms: how long Redis keeps a resolved conversation's record.
    ClusterLink(boost::asio::io_context& ioc, const cluster::ClientOptions& opts, std::string node,
                std::int64_t reopen_window_ms);
    ~ClusterLink();

    // After core->start(): connects, subscribes, and from then on keeps Redis told.
    void start(std::shared_ptr<Core> core);
    void stop();
    cluster::RedisClient& client() { return *client_; }

    // The node that writes `conv`'s events: the one that opened it (its id says so), unless
    // this node heard it was taken over.
    std::string owner_of(const std::string& conv);

    // --- on the core's strand ---
    // Events this node just handed to its log: handoffs join the shared queue, ends of
    // conversations free their agent, agents' presence changes reach Redis.
    void events_written(const router::Router& r, const std::vector<router::Event>& events, SessionId origin);
    // An agent's frame: true when handled here (forwarded to the owner, or decided by Redis:
    // accept, transfer); false when the router handles it as on a single node.
    bool agent_frame(SessionId s, const std::string& agent, const nlohmann::json& frame, const router::Router& r);
    void agent_connected(SessionId s, const std::string& agent, const router::Router& r);
    // A batch about to be logged: its conversations' events go to their journals. True when
    // the core must wait for Core::journaled(batch) before sending the batch's frames.
    bool journal(const router::Router& r, const std::vector<router::Event>& events, std::uint64_t batch);
    // A visitor said hello: true when their conversation must first be looked for in Redis
    // (and taken over from a dead node); the link then lets the router answer.
    bool visitor_hello(SessionId s, const std::string& visitor, const std::string& token,
                       std::optional<std::uint64_t> last_seq, const router::Router& r);
    // A visitor served through this node (their conversation's owner is alive elsewhere):
    // true when the frame went to the owner.
    bool visitor_frame(SessionId s, const std::string& visitor, const nlohmann::json& frame, const std::string& lang,
                       const std::string& page);
    void visitor_gone(SessionId s, const std::string& visitor);
    // A frame for an agent whose console is not on this node.
    void to_agent(const std::string& agent, const std::shared_ptr<const std::string>& frame);
    // This node's queue changed (the router's queue frame).
    void queue_changed(std::string frame);
    // Every second: liveness, the shared queue's drain, the sweep of dead nodes'
    // conversations, this node's queue view.
    void tick(const router::Router& r);

    // Publishes `payload` to `node`; `failed` runs (on the client's strand) when Redis is not
    // reachable or no such node listens.
    void publish_to(const std::string& node, const nlohmann::json& payload, std::function<void()> failed = {});

private:
    void on_message(const std::string& channel, const std::string& payload);
    void on_link(bool up);
    void resync();
    void reconcile(const router::Router& r);
    void drain();
    void dispatch(const std::string& conv, const std::string& agent, const std::string& agent_node,
                  const std::string& owner, const std::string& by);
    // retried: the conversation's agent here was already checked against Redis.
    void apply_assignment(const std::string& conv, const std::string& agent, const std::string& by, bool retried = false);
    void agent_went_offline(const std::string& agent, bool drain_anyway);
    void tell(SessionId s, const std::string& code, const std::string& message);
    void accept(SessionId s, const std::string& agent, const std::string& conv, bool from_bot,
                const std::string& visitor, const std::string& lang);
    void transfer(SessionId s, const std::string& agent, const std::string& conv, const std::string& to);
    void note_agent(const std::string& agent, const std::string& node);
    void views_elsewhere(const std::string& agent);
    void note_owner(const std::string& conv, const std::string& node);
    // Claims `conv` (retrying while its owner's liveness key lives, `attempts` times) and
    // rebuilds it from its journal; `done(true)` on the core's strand when it is this node's.
    // With `from` (the owner presumed dead), gives up at once when another node owns it.
    void take_over(const std::string& conv, int attempts, std::function<void(bool)> done, const std::string& from = "");
    // A returning visitor's conversation `conv`: their hello goes to its owner while it lives,
    // else it is taken over here; when another node took it first, the owner is looked up
    // again (`hops` times) before the router answers alone.
    void reach_owner(SessionId s, const std::string& conv, const nlohmann::json& hello, std::function<void()> answer,
                     int hops);
    // Every second: claims open conversations of dead nodes that no client came back for.
    void sweep();
    void forward(SessionId s, const std::string& agent, const nlohmann::json& frame, const std::string& owner, bool retry);
    std::string agent_node(const std::string& agent);
    void push_queue_view(bool force);
    std::shared_ptr<Core> core();

    boost::asio::io_context& ioc_;
    std::string node_, url_;
    std::int64_t reopen_window_ms_;
    std::unique_ptr<cluster::RedisClient> client_;
    std::unique_ptr<cluster::RedisSubscriber> sub_;
    std::unique_ptr<cluster::Store> store_;
    std::weak_ptr<Core> core_;

    std::mutex mu_;  // what both strands read: agents' nodes and the nodes' queues
    std::map<std::string, std::string> agent_nodes_;
    std::map<std::string, std::string> owners_;  // conversations taken over from their first node
    struct QueueView {
        nlohmann::json items;
        std::int64_t seen_ms = 0;
    };
    std::map<std::string, QueueView> queues_;
    std::string last_view_;

    // Core strand only: sessions of other nodes that sent frames here (their agents).
    std::map<std::string, std::pair<SessionId, std::shared_ptr<RemoteSession>>> remote_sessions_;
    std::map<SessionId, std::string> proxied_;  // visitors here whose conversation another node owns
    std::shared_ptr<RemoteSession> remote_session(const std::string& node, SessionId remote, SessionId& id);
    std::set<std::string> offline_here_;  // agents of other nodes whose agent.status offline this node writes
    // Conversations claimed by this node and not yet rebuilt from their journals; while there
    // are any, frames of visitors served through other nodes wait (in order) in deferred_, so
    // that a visitor whose hello was sent here the moment the claim succeeded is not welcomed
    // as if their conversation did not exist.
    std::set<std::string> rebuilding_;
    std::vector<nlohmann::json> deferred_;
    void remote_visitor(const nlohmann::json& m);
    // `conv` is rebuilt (or will not be): the visitors' frames that waited are handled.
    void rebuilt(const std::string& conv);
    int ticks_ = 0;
};

}  // namespace chat::server
