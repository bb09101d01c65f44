// histogram.hpp — latency histogram of the load generator: log-linear buckets in microseconds
// (32 per power of two, so any percentile is within about 3 % of the true value), cheap enough
// to record every reply, and mergeable so several chat-bench processes give one report.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

namespace chat::bench {

class Histogram {
public:
    Histogram() : counts_(kBuckets, 0) {}
    void add(std::uint64_t us);
    void merge(const Histogram& other);
    std::uint64_t count() const { return count_; }
    // The value below which `p` (0..1) of the samples lie, in milliseconds.
    double percentile_ms(double p) const;
    double max_ms() const { return static_cast<double>(max_) / 1000.0; }
    // {"p50","p90","p99","p999","max","count"} in milliseconds (p999: 99.9 %, the stalls a long run meets).
    nlohmann::json summary() const;
    // Raw buckets, for merging the reports of several processes.
    nlohmann::json raw() const;
    static Histogram from_raw(const nlohmann::json& j);

private:
    static constexpr int kBuckets = 64 + 40 * 32;
    static int index(std::uint64_t us);
    static std::uint64_t lower(int idx);
    std::vector<std::uint64_t> counts_;
    std::uint64_t count_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace chat::bench
