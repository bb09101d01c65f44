// loggen.hpp — realistic synthetic event logs: visitors, bot answers and fallbacks, handoffs,
// queues, agents, transfers, reopenings, abandonments, CSAT/NPS, tags, purchases, several
// nodes, erased texts and the noise a real log has (notes, presence, audit). Deterministic
// for a seed. Used by kpi-loggen (benchmarks) and by the KPI tests (batch vs live).
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace chat::loggen {

struct Options {
  std::uint64_t target_bytes = 10u << 20;  // stop after about this many bytes of lines
  int nodes = 3;
  std::uint64_t seed = 1;
  std::int64_t start_ms = 1709251200000;    // 2024-03-01T00:00:00Z
  double conversations_per_hour = 900;      // at the daily peak
  int agents = 40;
};

// `line` has no '\n'; lines of each node come in seq order, and all lines in ts order.
using Sink = std::function<void(int node, std::string_view node_id, std::string_view line)>;

// Returns the number of lines produced.
std::uint64_t generate(const Options& options, const Sink& sink);

}  // namespace chat::loggen
