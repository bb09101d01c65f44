// map-growth-bench — the longest single insert while a map of string ids grows to N entries:
// std::unordered_map (rehashes everything at once) against the router's ShardedMap (one shard
// at a time). The longest insert is how long the core thread stops every shopper when the
// router meets its next conversation or visitor. Values are the size of a router Conversation.
//
//   map-growth-bench [--entries N] [--runs R]
//
// Prints, per kind and run: the longest insert, how many took over 1 ms and the sizes of the
// five longest, and the total time for the N inserts.
#include "sharded_map.hpp"
#include "state.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

namespace {
using Clock = std::chrono::steady_clock;

template <class Map>
void run(const char* kind, std::size_t entries) {
    Map m;
    double longest = 0, total = 0;
    std::vector<std::pair<std::size_t, double>> slow;
    for (std::size_t i = 0; i < entries; ++i) {
        const std::string id = "c-node1-" + std::to_string(i);
        const auto t0 = Clock::now();
        m.try_emplace(id);
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        total += ms;
        longest = std::max(longest, ms);
        if (ms > 1.0) slow.emplace_back(i, ms);
    }
    std::printf("%-20s %zu entries: longest insert %8.3f ms, all inserts %7.1f ms, %zu inserts over 1 ms; longest at:", kind,
                entries, longest, total, slow.size());
    std::sort(slow.begin(), slow.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    slow.resize(std::min<std::size_t>(slow.size(), 5));
    std::sort(slow.begin(), slow.end());
    for (auto [at, ms] : slow) std::printf(" %zu (%.1f ms)", at, ms);
    std::printf("\n");
}
}  // namespace

int main(int argc, char** argv) {
    std::size_t entries = 2000000;
    int runs = 3;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--entries") && i + 1 < argc) entries = std::strtoull(argv[++i], nullptr, 10);
        else if (!std::strcmp(argv[i], "--runs") && i + 1 < argc) runs = std::atoi(argv[++i]);
        else {
            std::fprintf(stderr, "usage: map-growth-bench [--entries N] [--runs R]\n");
            return 2;
        }
    }
    for (int r = 0; r < runs; ++r) {
        run<std::unordered_map<std::string, chat::router::Conversation>>("std::unordered_map", entries);
        run<chat::router::ShardedMap<chat::router::Conversation>>("ShardedMap", entries);
    }
}
