// queue-bench — what a long queue costs the core thread when every agent is busy: a bot
// conversation's resolution (which offers the agents the queue), a new handoff (which joins
// its back and tells the queued shoppers their positions), and the agents' view of the queue
// (the frame each console gets up to five times a second while the queue moves).
//
//   queue-bench [--queue N] [--agents A]
//
// A agents online at capacity 1, each with a conversation; N more shoppers queued behind them;
// then 1,000 other shoppers each ask the bot and say it helped (a resolution), and 200 more
// ask for a person; then the view is written once. Prints the time of each, per call. The
// bot gives one fixed answer (fixed_bot.hpp).
#include "fixed_bot.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
    using namespace chat::router;
    using nlohmann::json;
    std::size_t queue = 5000;
    int agents = 20;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--queue") && i + 1 < argc) queue = std::strtoull(argv[++i], nullptr, 10);
        else if (!std::strcmp(argv[i], "--agents") && i + 1 < argc) agents = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: queue-bench [--queue N] [--agents A]\n");
            return 2;
        }
    }
    Router r(RouterConfig{}, chat::bench::fixed_answer_bot());
    const std::int64_t now = 1'700'000'000'000;
    for (int i = 0; i < agents; ++i) {
        const std::string agent = "agent" + std::to_string(i);
        r.set_agent_profile(agent, {{"fr", "en"}, 1});
        r.agent_connected(1000000 + i, agent, now);
        r.agent_frame(1000000 + i, agent, json{{"type", "status"}, {"status", "online"}}, now);
    }
    SessionId session = 0;
    auto shopper = [&] {
        const std::string v = "v" + std::to_string(100000000000 + ++session);
        r.visitor_connected(session, v, "t" + v, std::nullopt, now);
        r.visitor_frame(session, v, json{{"type", "message"}, {"text", "where is my parcel"}, {"client_id", v + "-1"}}, "en", "/p", now);
        return std::pair{session, v};
    };
    for (std::size_t i = 0; i < queue + static_cast<std::size_t>(agents); ++i) {
        const auto [s, v] = shopper();
        r.visitor_frame(s, v, json{{"type", "handoff"}}, "en", "/p", now);
    }
    std::vector<std::pair<SessionId, std::string>> helped;
    for (int i = 0; i < 1000; ++i) helped.push_back(shopper());
    auto t0 = std::chrono::steady_clock::now();
    for (const auto& [s, v] : helped) r.visitor_frame(s, v, json{{"type", "helpful"}, {"value", true}}, "en", "/p", now);
    const double resolution = ms_since(t0) / 1000;
    t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 200; ++i) {
        const auto [s, v] = shopper();
        r.visitor_frame(s, v, json{{"type", "handoff"}}, "en", "/p", now);
    }
    const double handoff = ms_since(t0) / 200;
    t0 = std::chrono::steady_clock::now();
    const auto view = r.take_queue_update(true);
    const double view_ms = ms_since(t0);
    std::printf("queue %zu behind %d busy agents: a bot resolution %.4f ms, a handoff %.4f ms; the agents' view of the %zu queued "
                "%.3f ms (%zu bytes)\n",
                queue, agents, resolution, handoff, r.queue_length(), view_ms, view ? view->size() : 0);
}
