// core.hpp — the one place that owns conversations, the queue and agents' load.
//
// Everything runs on one strand (as Redis keeps its data on one thread while I/O runs on
// others): sessions post their frames here; the core asks the router what they mean, hands
// the resulting events to the event log writer, and sends acks, bot replies and deliveries
// only when the writer reports them durable, so nobody is told of anything the disk does not
// hold. The core also hands every event to the live KPIs' thread (kpi_view.hpp), replays the log at
// start-up, ticks the router's timers, and answers the HTTP API's questions about state.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <nlohmann/json.hpp>

#include "net.hpp"
#include "shared_state.hpp"

namespace chat::router {
class Router;
struct Effects;
}
namespace chat::kpi {
class Engine;
}
namespace chat::eventlog {
class Writer;
struct Line;
struct Placement;
}

namespace chat::server {

class FrameSink;
class KpiView;
class BotService;
class ClusterLink;
struct Metrics;

using SessionId = std::uint64_t;

// What a visitor's connection tells the core, gathered by the visitor loop over one round and
// handed over in one post (visitor_loop.hpp).
struct VisitorCall {
    enum class Kind { hello, frame, gone } kind = Kind::frame;
    SessionId session = 0;
    std::string visitor;
    std::weak_ptr<FrameSink> sink;          // hello
    std::string token;                      // hello
    std::optional<std::uint64_t> last_seq;  // hello
    nlohmann::json frame;                   // frame
    std::string lang, page;                 // frame
};

class Core : public std::enable_shared_from_this<Core> {
public:
    Core(net::io_context& ioc, std::shared_ptr<SharedState> state, std::shared_ptr<BotService> bot, Metrics& metrics);
    ~Core();

    // Opens the event log in the data directory, replays it into the router and the KPI
    // engine, and starts the timers. Throws std::runtime_error on an unreadable log.
    void start();
    // Flushes what is pending in the log and stops the writer (after the io_context ends).
    void stop();

    SessionId new_session_id() { return next_session_.fetch_add(1); }

    // Sessions call these from any thread.
    void visitor_hello(SessionId s, std::weak_ptr<FrameSink> sink, std::string visitor, std::string token,
                       std::optional<std::uint64_t> last_seq);
    void visitor_frame(SessionId s, std::string visitor, nlohmann::json frame, std::string lang, std::string page);
    void visitor_gone(SessionId s, std::string visitor);
    // Several of those at once, in order (one post).
    void visitor_calls(std::vector<VisitorCall> calls);
    // The same, on the core's strand.
    void visitor_hello_here(SessionId s, std::weak_ptr<FrameSink> sink, const std::string& visitor, const std::string& token,
                            std::optional<std::uint64_t> last_seq);
    void visitor_frame_here(SessionId s, const std::string& visitor, const nlohmann::json& frame, const std::string& lang,
                            const std::string& page);
    void visitor_gone_here(SessionId s, const std::string& visitor);
    void agent_hello(SessionId s, std::weak_ptr<FrameSink> sink, std::string agent, std::vector<std::string> langs,
                     int capacity);
    void agent_frame(SessionId s, std::string agent, nlohmann::json frame);
    void agent_gone(SessionId s, std::string agent);

    // Appends an audit event (login, export, erase…).
    void audit(nlohmann::json event);

    // Runs `question` on the core strand and hands its answer to `done` on the strand too;
    // the caller posts back to its own executor.
    void ask(std::function<nlohmann::json(Core&)> question, std::function<void(nlohmann::json)> done);

    // Runs `question` on the live KPIs' thread (kpi_view.hpp), after every event logged before,
    // and hands its answer to `done` there.
    void ask_kpi(std::function<nlohmann::json(kpi::Engine&)> question, std::function<void(nlohmann::json)> done);

    // For ask(): read access on the strand.
    const router::Router& router() const { return *router_; }
    // Where in this node's segments the router's places are (router::HistoryRequest), to
    // read them off the strand with eventlog::read_lines_at.
    std::vector<eventlog::Placement> placements(const std::vector<std::uint64_t>& places) const;
    bool log_healthy() const { return log_healthy_.load(); }

    // The account was removed: its agent goes offline and its conversations back to the queue.
    void agent_removed(std::string agent);

    // The visitors were erased (docs/privacy.md): their connections are closed, what this node
    // wrote for them since is blanked, and the state is rebuilt from the log so that no erased
    // text is served any more. Also called after retention blanked texts (no visitors then).
    void texts_erased(std::vector<std::string> visitors);

    // Cluster mode (--redis, docs/scaling.md): set before start(). Without it nothing of the
    // cluster runs and the core is the single node's.
    void set_cluster(std::shared_ptr<ClusterLink> link) { cluster_ = std::move(link); }

private:
    friend class ClusterLink;
    // For the cluster link, on the strand: frames from another node for this node's sessions
    // (`agent` "*": every agent here; "": the session `session`).
    void deliver_here(const std::string& agent, SessionId session, std::vector<std::shared_ptr<const std::string>> frames);
    void attach_sink(SessionId s, std::weak_ptr<FrameSink> sink);
    void attach_visitor(SessionId s, const std::string& visitor, std::weak_ptr<FrameSink> sink);
    void agent_frame_here(SessionId s, const std::string& agent, const nlohmann::json& frame);
    bool has_session(SessionId s) const;
    // The batch's events are in their conversations' journals (or will never be): its frames may go.
    void journaled(std::uint64_t batch);

    struct Impl;
    struct Placed;
    void run(router::Effects&& fx, SessionId origin);
    // Hands batches first..last (their lines, in seq order) to the log writer in one append;
    // `placed`: where in it each event of a conversation is, for the router once durable.
    void submit(std::vector<eventlog::Line> lines, std::uint64_t first, std::uint64_t last, std::vector<Placed> placed);
    // On the strand: the batches the writer has completed since the last call.
    void completed();
    void replay();
    void rebuild();
    void tick();
    void queue_tick();

    net::io_context& ioc_;
    net::strand<net::io_context::executor_type> strand_;
    std::shared_ptr<SharedState> state_;
    std::shared_ptr<BotService> bot_;
    Metrics& metrics_;
    std::unique_ptr<router::Router> router_;
    std::unique_ptr<KpiView> kpi_view_;
    std::unique_ptr<Impl> impl_;
    std::shared_ptr<ClusterLink> cluster_;
    std::atomic<SessionId> next_session_{1};
    std::atomic<bool> log_healthy_{true};
};

}  // namespace chat::server
