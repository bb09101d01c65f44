// kpi_view.hpp — the live KPIs: a kpi::Engine on a thread of its own, fed the log's lines.
//
// GET /api/kpi builds its report from every event the node has logged, and a dashboard asks
// again every 10 seconds. With a sale day in the log that report takes hundreds of
// milliseconds (bench/RESULTS.md); on the core thread every shopper would wait for it at every
// refresh. So the engine lives here, on its own thread: the core hands over what it writes,
// in the log's order, and questions are answered on this thread, each after every event
// handed over before it. Messages and lifecycle events, most of the log, come as the fields
// their line holds (router/kpi_feed.hpp, tested against the parser), copied into one buffer
// per turn of the core, so that nobody parses again the line just written; other events come
// as their line, which the engine reads as chat-kpi reads the log.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace chat::kpi {
class Engine;
struct Event;
}

namespace chat::server {

// Events for the view, in order, in one buffer: a typed event's strings are copied in, so it
// owes nothing to the objects it was read from.
class KpiFeed {
public:
    void line(std::string_view line);
    void event(const kpi::Event& e);
    bool empty() const { return bytes_.empty(); }
    // Room for about `bytes` more (an event takes its fields' length and ~80 bytes).
    void reserve_more(std::size_t bytes) { bytes_.reserve(bytes_.size() + bytes); }
    // Adds everything, in order, to `engine`.
    void add_to(kpi::Engine& engine) const;

private:
    friend class KpiView;
    std::string bytes_;
};

class KpiView {
public:
    KpiView();
    // Stops the thread; questions not answered by then are dropped with their callbacks.
    ~KpiView();
    KpiView(const KpiView&) = delete;
    KpiView& operator=(const KpiView&) = delete;

    // Events in the order they were written. From one thread (the core).
    void add(KpiFeed feed);
    // After the lines handed over so far: a new engine, filled by `fill` on the view's thread
    // (the log's segments at start-up and at a rebuild); later lines reach the new engine.
    // The future is ready once it is filled: empty, or what `fill` threw, as its message (a
    // string, not the exception, so that nothing of it is shared between the two threads).
    std::future<std::string> reset(std::function<void(kpi::Engine&)> fill);
    // Runs `question` on the view's thread after every line handed over before, then `done`
    // with its answer, on that thread too (the caller posts back to its own executor).
    void ask(std::function<nlohmann::json(kpi::Engine&)> question, std::function<void(nlohmann::json)> done);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace chat::server
