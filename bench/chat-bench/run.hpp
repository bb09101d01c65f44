// run.hpp — what every simulated shopper and agent of one chat-bench process shares: the
// options, the counters, the questions to ask, the random source and the clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <fstream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "options.hpp"

namespace chat::bench {

using Clock = std::chrono::steady_clock;

// Microseconds on the monotonic clock, which every process of the machine shares: a visitor
// puts it in a message and the agent's process reads the delivery time off it.
inline std::uint64_t now_us() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch()).count());
}

struct Question {
    std::string lang, text;
    std::string text_json;  // `text` as a JSON string, quotes and escapes included
};

struct Run {
    Options opt;
    Counters c;
    std::vector<Question> questions;
    std::mt19937_64 rng{0x5eed};
    bool measuring = false;  // inside the measured window: messages sent now are counted
    bool recording = false;  // window and drain: answers and their latencies are recorded
    bool sending = false;    // the pacer is on (warm-up and window)
    std::ofstream acked_out;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> timeline;  // --timeline: sent_us, latency_us
    std::uint64_t next_source = 0;

    const Question& question() { return questions[rng() % questions.size()]; }
    double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng); }
    const std::string& source() { return opt.sources[next_source++ % opt.sources.size()]; }
};

// The shop's questions the bot knows (tests/bot/questions.tsv: lang, expected topic, text),
// without the out-of-scope ones and without requests for a person. Throws when unreadable.
std::vector<Question> load_questions(const std::string& path);

}  // namespace chat::bench
