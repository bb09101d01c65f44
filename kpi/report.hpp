// report.hpp — the KPI report object of event-log.md ("chat-kpi --json", GET /api/kpi).
//
// Plain data, filled by Engine::report() and printed by to_json() (and by chat-kpi's table).
// Empty cases: a Distribution with count 0 has null mean/p50/p90/p99; a rate whose
// denominator is 0 is null; csat mean/satisfied_rate and nps score are null with count 0;
// an agent's first_response_p50_ms / csat_mean are null when it has no such value.
#pragma once

#include "distribution.hpp"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace chat::kpi {

struct ReportOptions {
  std::optional<std::int64_t> from_ms;  // conversations opened at or after (inclusive)
  std::optional<std::int64_t> to_ms;    // conversations opened strictly before (exclusive)
  std::int64_t fcr_window_ms = 7LL * 86'400'000;
  std::int64_t sla_target_ms = 60'000;
  std::size_t unanswered_limit = 0;  // keep the N most frequent questions; 0 = all
};

struct AgentRow {
  std::string agent;
  std::uint64_t assigned = 0;
  std::uint64_t resolved = 0;
  std::optional<std::int64_t> first_response_p50_ms;
  std::optional<double> csat_mean;
};

struct TopicRow {
  std::optional<std::string> faq;  // null when the bot answered with "faq": null
  std::uint64_t answers = 0;
};

struct UnansweredRow {
  std::optional<std::string> text;  // null for erased texts (all erased questions in one row)
  std::uint64_t count = 0;
};

struct TagRow {
  std::string tag;
  std::uint64_t conversations = 0;
};

struct Report {
  std::uint64_t conversations = 0;
  Distribution first_response_ms;
  Distribution agent_first_response_ms;
  Distribution response_ms_bot;
  Distribution response_ms_agent;
  Distribution queue_wait_ms;
  Distribution resolution_ms;
  std::uint64_t unanswered_handoffs = 0;

  std::optional<double> fcr_rate;
  std::optional<double> bot_containment_rate;
  std::optional<double> handoff_rate;
  std::optional<double> abandonment_rate;
  std::optional<double> transfer_rate;
  std::optional<double> sla_rate;

  struct Csat {
    std::uint64_t count = 0;
    std::optional<double> mean;
    std::optional<double> satisfied_rate;
  } csat;
  struct Nps {
    std::uint64_t count = 0;
    std::optional<double> score;
  } nps;

  std::vector<AgentRow> agents;            // by agent id
  std::vector<TopicRow> topics;            // most answers first, then by faq id
  std::vector<UnansweredRow> unanswered;   // most frequent first, then by text
  std::vector<TagRow> tags;                // most conversations first, then by tag

  struct Conversion {
    std::optional<double> all;
    std::optional<double> bot_resolved;
    std::optional<double> agent_resolved;
    std::optional<double> unresolved;
  } conversion_rate;

  std::array<std::uint64_t, 24> by_hour{};

  // For the dashboard's charts (extra keys): per UTC day of opening, and a histogram of
  // first response and agent first response times over kHistogramBoundsMs.
  struct Day {
    std::uint64_t conversations = 0, resolved = 0, fcr = 0, csat_count = 0;
    double csat_sum = 0;
  };
  std::map<std::string, Day> daily;  // "YYYY-MM-DD" -> that day's figures
  static constexpr std::array<std::int64_t, 8> kHistogramBoundsMs{5'000, 15'000, 30'000, 60'000,
                                                                   120'000, 300'000, 600'000, 1'800'000};
  std::array<std::uint64_t, 9> first_response_histogram{};        // last bucket: above the last bound
  std::array<std::uint64_t, 9> agent_first_response_histogram{};
  std::map<std::string, std::uint64_t> by_day;  // "YYYY-MM-DD" -> conversations opened

  // Denominators behind the rates, for readers who want to check them (extra keys).
  struct Counts {
    std::uint64_t resolved = 0, handoffs = 0, assigned = 0, answered_handoffs = 0;
    std::uint64_t visitors = 0;
  } counts;
};

// The report object as JSON (keys exactly as event-log.md names them, plus "counts").
nlohmann::json to_json(const Report& report);

}  // namespace chat::kpi
