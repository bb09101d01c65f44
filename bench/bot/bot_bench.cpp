// bot_bench.cpp — questions per second and per-question latency of the FAQ bot, one thread.
//
//   bot-bench [--faq DIR] [--questions FILE] [--count N]
//
// Draws N (default 100,000) questions from the labelled set (French and English, with its
// out-of-scope ones), shuffled, each decided as a fresh conversation, and prints throughput
// and p50/p90/p99/max latency. Built with the project, run by hand.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bot.hpp"

int main(int argc, char** argv) {
    std::string faq = BOT_FAQ_DIR, questions = BOT_QUESTIONS;
    std::size_t count = 100000;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--help") { std::puts("bot-bench [--faq DIR] [--questions FILE] [--count N]"); return 0; }
        if (i + 1 >= argc) { std::fprintf(stderr, "bot-bench: %s needs a value\n", a.c_str()); return 2; }
        if (a == "--faq") faq = argv[++i];
        else if (a == "--questions") questions = argv[++i];
        else if (a == "--count") count = std::strtoull(argv[++i], nullptr, 10);
        else { std::fprintf(stderr, "bot-bench: unknown option '%s'\n", a.c_str()); return 2; }
    }
    const auto loaded = chat::bot::load_knowledge_base(faq);
    if (const auto* e = std::get_if<chat::bot::LoadError>(&loaded)) {
        std::fprintf(stderr, "bot-bench: %s\n", chat::bot::to_string(*e).c_str());
        return 1;
    }
    const auto kb = std::get<std::shared_ptr<const chat::bot::KnowledgeBase>>(loaded);

    std::vector<std::string> pool;
    std::ifstream in(questions);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto t = line.rfind('\t');
        if (t != std::string::npos) pool.push_back(line.substr(t + 1));
    }
    if (pool.empty() || count == 0) { std::fprintf(stderr, "bot-bench: no questions in %s\n", questions.c_str()); return 1; }
    std::mt19937 rng(42);
    std::vector<const std::string*> qs;
    qs.reserve(count);
    while (qs.size() < count) {
        std::shuffle(pool.begin(), pool.end(), rng);
        for (const auto& q : pool) { if (qs.size() == count) break; qs.push_back(&q); }
    }

    std::size_t sink = 0;
    for (std::size_t i = 0; i < std::min<std::size_t>(count, 20000); ++i) sink += chat::bot::decide(*kb, *qs[i]).intent.size();

    using clock = std::chrono::steady_clock;
    std::vector<std::uint32_t> ns(count);
    const auto start = clock::now();
    for (std::size_t i = 0; i < count; ++i) {
        const auto t0 = clock::now();
        const chat::bot::Decision d = chat::bot::decide(*kb, *qs[i]);
        sink += d.intent.size() + d.answer.size();
        ns[i] = static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - t0).count());
    }
    const double secs = std::chrono::duration<double>(clock::now() - start).count();
    std::sort(ns.begin(), ns.end());
    auto pct = [&](double p) {
        const std::size_t rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(count)));
        return ns[std::max<std::size_t>(rank, 1) - 1] / 1000.0;
    };
    std::printf("questions     %zu (%zu distinct)\n", count, pool.size());
    std::printf("throughput    %.0f q/s (one thread)\n", static_cast<double>(count) / secs);
    std::printf("latency_us    p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", pct(50), pct(90), pct(99), ns.back() / 1000.0);
    std::printf("checksum      %zu\n", sink);
    return 0;
}
