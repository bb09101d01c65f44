// metrics.hpp — the server's counters, exported on GET /metrics in Prometheus text format.
//
// Plain atomics that any thread bumps without locks; the gauges that belong to the router
// (conversations by state, queue length) are read on the core strand when /metrics is asked.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace chat::server {

// A fixed-bucket latency histogram (seconds), lock-free.
class Histogram {
public:
    static constexpr std::array<double, 12> kBounds{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                    0.01,   0.025,   0.05,   0.1,   0.25,   1.0};
    void observe(double seconds);
    // The time from `since` to now, on the monotonic clock.
    void observe_since(std::chrono::steady_clock::time_point since);
    std::string render(const std::string& name, const std::string& help) const;

private:
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
    std::atomic<std::uint64_t> count_{0};
    std::atomic<std::uint64_t> sum_ns_{0};
};

// Bytes the allocator has handed out and not had back (jemalloc's stats.allocated), when chatd
// runs on jemalloc; nothing otherwise (tests, sanitizer builds).
std::optional<double> allocated_bytes();

struct Metrics {
    std::atomic<std::int64_t> visitor_connections{0}, agent_connections{0};
    std::atomic<std::uint64_t> frames_in{0}, frames_out{0};
    std::atomic<std::uint64_t> messages_in_visitor{0}, messages_in_agent{0};
    std::atomic<std::uint64_t> events_appended{0}, append_failures{0};
    std::atomic<std::uint64_t> bot_answer{0}, bot_suggest{0}, bot_fallback{0}, bot_smalltalk{0}, bot_handoff{0};
    std::atomic<std::uint64_t> faq_reloads{0}, faq_reload_failures{0};
    std::atomic<std::uint64_t> slow_consumers_dropped{0};
    Histogram append_latency;  // from handing a batch to the writer to its durability
    Histogram sync_latency;    // one fdatasync of the log
    // Work handed from one thread to another, waiting for it: a round of visitors' frames or a
    // durable group for the core thread; the frames the core releases for the visitor thread.
    // A wait that grows while the log's latencies stay flat says the server is short of CPU.
    Histogram core_wait;
    Histogram visitor_send_wait;

    void count_bot_outcome(const std::string& outcome);
    // `gauges` are extra lines computed elsewhere (name -> value), e.g. conversations by state.
    std::string render(const std::map<std::string, double>& gauges) const;
};

}  // namespace chat::server
