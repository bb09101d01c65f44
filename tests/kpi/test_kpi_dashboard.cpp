// The report's extra keys for the dashboard's charts: "daily" (per UTC day of opening:
// conversations, resolved, FCR, CSAT) and "response_histogram" (first response and agent first
// response times over fixed bounds, with their edges).
#include "log_builder.hpp"

#include <catch2/catch.hpp>

using namespace kpitest;

TEST_CASE("dashboard: daily FCR and CSAT, by UTC day of opening", "[kpi][dashboard]") {
  constexpr std::int64_t kDay = 86'400'000;
  Log log;
  // Day 1: two conversations, both resolved; c2's visitor comes back on day 2, so FCR is 1/2.
  log.opened(kT0, "c1", "v1").visitor(kT0 + 1000, "c1").bot(kT0 + 2000, "c1").resolved(kT0 + 3000, "c1").csat(kT0 + 4000, "c1", 5);
  log.opened(kT0 + 10, "c2", "v2").visitor(kT0 + 1000, "c2").bot(kT0 + 2000, "c2").resolved(kT0 + 3000, "c2").csat(kT0 + 4000, "c2", 2);
  // Day 2: one unresolved conversation, no rating.
  log.opened(kT0 + kDay, "c3", "v2").visitor(kT0 + kDay + 1000, "c3");
  auto j = chat::kpi::to_json(report_of(log));
  REQUIRE(j["daily"].size() == 2);
  const auto& d1 = j["daily"]["2024-03-01"];
  CHECK(d1["conversations"] == 2);
  CHECK(d1["resolved"] == 2);
  CHECK(d1["fcr_rate"].get<double>() == Approx(0.5));
  CHECK(d1["csat_count"] == 2);
  CHECK(d1["csat_mean"].get<double>() == Approx(3.5));
  const auto& d2 = j["daily"]["2024-03-02"];
  CHECK(d2["conversations"] == 1);
  CHECK(d2["resolved"] == 0);
  CHECK(d2["fcr_rate"].is_null());
  CHECK(d2["csat_mean"].is_null());
  // The per-day figures add up to the range's.
  CHECK(j["volume"]["by_day"]["2024-03-01"] == 2);
}

TEST_CASE("dashboard: response time histogram, bucket edges inclusive", "[kpi][dashboard]") {
  Log log;
  // First responses of exactly 5 s (first bucket, <= 5 s), 5.001 s (second) and 2 h (the last, open bucket).
  log.opened(kT0, "c1", "v1").visitor(kT0, "c1").bot(kT0 + 5000, "c1");
  log.opened(kT0, "c2", "v2").visitor(kT0, "c2").bot(kT0 + 5001, "c2");
  log.opened(kT0, "c3", "v3").visitor(kT0, "c3").handoff(kT0 + 1, "c3").assigned(kT0 + 2, "c3", "a1").agent(kT0 + 7'200'000, "c3", "a1");
  auto j = chat::kpi::to_json(report_of(log));
  const auto& h = j["response_histogram"];
  REQUIRE(h["bounds_ms"].size() == 8);
  CHECK(h["bounds_ms"][0] == 5000);
  REQUIRE(h["first_response"].size() == 9);
  CHECK(h["first_response"][0] == 1);
  CHECK(h["first_response"][1] == 1);
  CHECK(h["first_response"][8] == 1);
  CHECK(h["agent_first_response"][8] == 1);
  std::uint64_t total = 0;
  for (const auto& n : h["first_response"]) total += n.get<std::uint64_t>();
  CHECK(total == j["first_response_ms"]["count"].get<std::uint64_t>());
}
