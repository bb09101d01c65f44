// tick-bench — how long the router's once-a-second tick holds the core thread with N open
// conversations, none of them due: the time every shopper's message waits behind it.
//
//   tick-bench [--open N] [--ticks T]
//
// N visitors each open a conversation with one message (the bot's one fixed answer,
// fixed_bot.hpp), then T ticks run a second apart. Prints the first tick (which here schedules
// every open conversation; a server does that once, at the end of its replay, before it
// listens) and the others: median and longest.
#include "fixed_bot.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    using namespace chat::router;
    std::size_t open = 20000;
    int ticks = 20;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--open") && i + 1 < argc) open = std::strtoull(argv[++i], nullptr, 10);
        else if (!std::strcmp(argv[i], "--ticks") && i + 1 < argc) ticks = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: tick-bench [--open N] [--ticks T]\n");
            return 2;
        }
    }
    Router r(RouterConfig{}, chat::bench::fixed_answer_bot());
    std::int64_t now = 1'700'000'000'000;
    for (std::size_t i = 0; i < open; ++i) {
        const std::string v = "v" + std::to_string(100000000000 + i);
        r.visitor_connected(i + 1, v, "t" + v, std::nullopt, now);
        r.visitor_frame(i + 1, v, nlohmann::json{{"type", "message"}, {"text", "when will it arrive"}, {"client_id", v + "-1"}}, "en", "/p", now);
    }
    std::vector<double> ms;
    std::size_t closed = 0;
    for (int k = 1; k <= ticks; ++k) {
        const auto t0 = std::chrono::steady_clock::now();
        const Effects fx = r.tick(now + k * 1000);
        ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        closed += fx.events.size();
    }
    std::vector<double> rest(ms.begin() + 1, ms.end());
    std::sort(rest.begin(), rest.end());
    std::printf("%zu open conversations: first tick %.3f ms; next %d ticks median %.4f ms, longest %.4f ms (%zu events)\n",
                r.state().open.size(), ms[0], ticks - 1, rest.empty() ? 0 : rest[rest.size() / 2], rest.empty() ? 0 : rest.back(), closed);
}
