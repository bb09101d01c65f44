// metrics.cpp — histogram buckets and the Prometheus text rendering.
#include "metrics.hpp"

#include <iomanip>
#include <sstream>

// jemalloc's control interface, resolved only when chatd links jemalloc (server/CMakeLists.txt).
extern "C" int mallctl(const char* name, void* oldp, std::size_t* oldlenp, void* newp, std::size_t newlen)
    __attribute__((weak));

namespace chat::server {

std::optional<double> allocated_bytes() {
    if (!mallctl) return std::nullopt;
    std::uint64_t epoch = 1;  // the statistics are refreshed when the epoch is written
    std::size_t len = sizeof epoch;
    mallctl("epoch", &epoch, &len, &epoch, len);
    std::size_t allocated = 0;
    len = sizeof allocated;
    if (mallctl("stats.allocated", &allocated, &len, nullptr, 0) != 0) return std::nullopt;
    return static_cast<double>(allocated);
}

void Histogram::observe(double seconds) {
    std::size_t i = 0;
    while (i < kBounds.size() && seconds > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<std::uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

void Histogram::observe_since(std::chrono::steady_clock::time_point since) {
    observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count());
}

std::string Histogram::render(const std::string& name, const std::string& help) const {
    std::ostringstream os;
    os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBounds.size(); ++i) {
        cumulative += buckets_[i].load(std::memory_order_relaxed);
        os << name << "_bucket{le=\"" << kBounds[i] << "\"} " << cumulative << '\n';
    }
    cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
    os << name << "_bucket{le=\"+Inf\"} " << cumulative << '\n';
    os << name << "_sum " << static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9 << '\n';
    os << name << "_count " << count_.load(std::memory_order_relaxed) << '\n';
    return os.str();
}

void Metrics::count_bot_outcome(const std::string& outcome) {
    if (outcome == "answer") bot_answer++;
    else if (outcome == "suggest") bot_suggest++;
    else if (outcome == "fallback") bot_fallback++;
    else if (outcome == "smalltalk") bot_smalltalk++;
    else if (outcome == "handoff") bot_handoff++;
}

std::string Metrics::render(const std::map<std::string, double>& gauges) const {
    std::ostringstream os;
    auto counter = [&](const char* name, const char* help, std::uint64_t v) {
        os << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n" << name << ' ' << v << '\n';
    };
    os << "# HELP chat_connections Open WebSocket connections by role.\n# TYPE chat_connections gauge\n";
    os << "chat_connections{role=\"visitor\"} " << visitor_connections.load() << '\n';
    os << "chat_connections{role=\"agent\"} " << agent_connections.load() << '\n';
    counter("chat_frames_in_total", "WebSocket frames received.", frames_in.load());
    counter("chat_frames_out_total", "WebSocket frames queued for sending.", frames_out.load());
    os << "# HELP chat_messages_in_total Chat messages received, by author.\n# TYPE chat_messages_in_total counter\n";
    os << "chat_messages_in_total{author=\"visitor\"} " << messages_in_visitor.load() << '\n';
    os << "chat_messages_in_total{author=\"agent\"} " << messages_in_agent.load() << '\n';
    counter("chat_events_appended_total", "Events made durable in the event log.", events_appended.load());
    counter("chat_append_failures_total", "Batches the event log could not store.", append_failures.load());
    os << "# HELP chat_bot_decisions_total Bot decisions by outcome.\n# TYPE chat_bot_decisions_total counter\n";
    os << "chat_bot_decisions_total{outcome=\"answer\"} " << bot_answer.load() << '\n';
    os << "chat_bot_decisions_total{outcome=\"suggest\"} " << bot_suggest.load() << '\n';
    os << "chat_bot_decisions_total{outcome=\"fallback\"} " << bot_fallback.load() << '\n';
    os << "chat_bot_decisions_total{outcome=\"smalltalk\"} " << bot_smalltalk.load() << '\n';
    os << "chat_bot_decisions_total{outcome=\"handoff\"} " << bot_handoff.load() << '\n';
    counter("chat_faq_reloads_total", "Knowledge base reloads that succeeded.", faq_reloads.load());
    counter("chat_faq_reload_failures_total", "Knowledge base reloads refused (previous one kept).", faq_reload_failures.load());
    counter("chat_slow_consumers_dropped_total", "Connections closed because they did not read.", slow_consumers_dropped.load());
    os << append_latency.render("chat_log_append_seconds", "Time from handing events to the log writer to their durability (write + fdatasync).");
    os << sync_latency.render("chat_log_sync_seconds", "Time one fdatasync of the event log took (the disk's part of chat_log_append_seconds).");
    os << core_wait.render("chat_core_wait_seconds",
                           "Time work handed to the core thread (a round of visitors' frames, a durable group of the log) waited for it to run.");
    os << visitor_send_wait.render("chat_visitor_send_wait_seconds",
                                   "Time the frames the core released for visitors waited for the visitor thread to send them.");
    std::string last_name;
    for (const auto& [name, value] : gauges) {
        std::string base = name.substr(0, name.find('{'));
        if (base != last_name) {
            os << "# TYPE " << base << " gauge\n";
            last_name = base;
        }
        os << name << ' ' << std::setprecision(15) << value << '\n';  // bytes print whole
    }
    return os.str();
}

}  // namespace chat::server
