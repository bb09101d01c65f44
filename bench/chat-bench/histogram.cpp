// histogram.cpp — bucket arithmetic, percentiles and (de)serialisation of Histogram.
#include "histogram.hpp"

#include <algorithm>
#include <bit>

namespace chat::bench {

int Histogram::index(std::uint64_t us) {
    if (us < 64) return static_cast<int>(us);
    const int shift = std::bit_width(us) - 6;  // us >> shift is in [32, 64)
    const int idx = 64 + (shift - 1) * 32 + static_cast<int>((us >> shift) - 32);
    return std::min(idx, kBuckets - 1);
}

std::uint64_t Histogram::lower(int idx) {
    if (idx < 64) return static_cast<std::uint64_t>(idx);
    const int shift = (idx - 64) / 32 + 1;
    return (static_cast<std::uint64_t>((idx - 64) % 32) + 32) << shift;
}

void Histogram::add(std::uint64_t us) {
    counts_[index(us)]++;
    count_++;
    max_ = std::max(max_, us);
}

void Histogram::merge(const Histogram& o) {
    for (int i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
    count_ += o.count_;
    max_ = std::max(max_, o.max_);
}

double Histogram::percentile_ms(double p) const {
    if (count_ == 0) return 0;
    const auto rank = static_cast<std::uint64_t>(p * static_cast<double>(count_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        seen += counts_[i];
        if (seen >= rank) {
            // Middle of the bucket, never above the largest sample.
            const double mid = (static_cast<double>(lower(i)) + static_cast<double>(i + 1 < kBuckets ? lower(i + 1) : lower(i))) / 2;
            return std::min(mid, static_cast<double>(max_)) / 1000.0;
        }
    }
    return max_ms();
}

nlohmann::json Histogram::summary() const {
    auto r = [](double v) { return static_cast<double>(static_cast<std::int64_t>(v * 1000 + 0.5)) / 1000; };
    return {{"p50", r(percentile_ms(0.50))}, {"p90", r(percentile_ms(0.90))}, {"p99", r(percentile_ms(0.99))},
            {"p999", r(percentile_ms(0.999))}, {"max", r(max_ms())}, {"count", count_}};
}

nlohmann::json Histogram::raw() const {
    nlohmann::json buckets = nlohmann::json::object();
    for (int i = 0; i < kBuckets; ++i)
        if (counts_[i]) buckets[std::to_string(i)] = counts_[i];
    return {{"max_us", max_}, {"buckets", buckets}};
}

Histogram Histogram::from_raw(const nlohmann::json& j) {
    Histogram h;
    h.max_ = j.value("max_us", std::uint64_t{0});
    for (auto& [k, v] : j.at("buckets").items()) {
        const int i = std::stoi(k);
        if (i < 0 || i >= kBuckets) continue;
        h.counts_[i] += v.get<std::uint64_t>();
        h.count_ += v.get<std::uint64_t>();
    }
    return h;
}

}  // namespace chat::bench
