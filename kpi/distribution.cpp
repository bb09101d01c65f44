// distribution.cpp — nearest-rank percentiles and exact means (see header).
#include "distribution.hpp"

#include <algorithm>

namespace chat::kpi {

std::optional<std::int64_t> percentile(std::vector<std::int64_t>& values, unsigned p) {
  if (values.empty()) return std::nullopt;
  std::uint64_t n = values.size();
  std::uint64_t rank = (std::uint64_t(p) * n + 99) / 100;  // ceil(p/100 * n)
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  auto nth = values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

Distribution summarize(std::vector<std::int64_t>& values) {
  Distribution d;
  d.count = values.size();
  if (values.empty()) return d;
  __int128 sum = 0;
  for (auto v : values) sum += v;
  d.mean = static_cast<double>(sum) / static_cast<double>(values.size());
  d.p50 = percentile(values, 50);
  d.p90 = percentile(values, 90);
  d.p99 = percentile(values, 99);
  return d;
}

}  // namespace chat::kpi
