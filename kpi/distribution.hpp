// distribution.hpp — count, mean and nearest-rank percentiles of a list of durations.
//
// event-log.md: "Percentiles are nearest-rank: sort the n values, take the one at rank
// ceil(p/100 × n)". The rank is computed in integers, so no floating-point rounding can move
// it; the mean is the exact integer sum divided once, in double.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace chat::kpi {

struct Distribution {
  std::uint64_t count = 0;
  std::optional<double> mean;        // nullopt when count == 0
  std::optional<std::int64_t> p50;   // nullopt when count == 0
  std::optional<std::int64_t> p90;
  std::optional<std::int64_t> p99;
};

// Nearest-rank percentile of `values` for p in 1..100 (reorders `values`).
std::optional<std::int64_t> percentile(std::vector<std::int64_t>& values, unsigned p);

// Summary of `values` (reorders them).
Distribution summarize(std::vector<std::int64_t>& values);

}  // namespace chat::kpi
