// --from/--to select conversations by their opening; their later events still count, and a
// visitor's other conversations and purchases are looked up in the whole log.
#include "log_builder.hpp"

#include <catch2/catch.hpp>

using namespace kpitest;
using chat::kpi::ReportOptions;

TEST_CASE("window: selection by opening time, later events still count", "[kpi][window]") {
  Log log;
  log.opened(kT0 + kHour, "c1", "v1").resolved(kT0 + 2 * kHour, "c1", "bot");      // 03-01: before
  log.opened(kT0 + kDay + kHour, "c2", "v2").visitor(kT0 + kDay + kHour, "c2")      // 03-02: selected
      .handoff(kT0 + 3 * kDay, "c2").agent(kT0 + 3 * kDay + 20 * kSec, "c2", "a1")  // after --to, still counts
      .resolved(kT0 + 4 * kDay, "c2", "agent", "a1").csat(kT0 + 5 * kDay, "c2", 5);
  log.opened(kT0 + 2 * kDay + kHour, "c3", "v2");                                    // 03-03: after; v2 came back
  log.converted(kT0 + 4 * kDay, "v2");
  ReportOptions o;
  o.from_ms = kT0 + kDay;       // 2024-03-02
  o.to_ms = kT0 + 2 * kDay;     // --to 2024-03-02 inclusive = before 2024-03-03
  auto r = report_of(log, o);
  CHECK(r.conversations == 1);
  CHECK(r.agent_first_response_ms.count == 1);
  CHECK(*r.agent_first_response_ms.p50 == 20 * kSec);
  CHECK(r.resolution_ms.count == 1);
  CHECK(r.csat.count == 1);
  CHECK(r.agents.size() == 1);
  // c3 (outside the window) was opened before c2's resolution: not a return after it.
  CHECK(*r.fcr_rate == 1.0);
  CHECK(*r.conversion_rate.all == 1.0);
  CHECK(r.by_day.size() == 1);
  CHECK(r.by_day.count("2024-03-02") == 1);
}

TEST_CASE("window: a visitor coming back after the window still breaks FCR", "[kpi][window]") {
  Log log;
  log.opened(kT0, "c1", "v1").resolved(kT0 + kHour, "c1", "bot");
  log.opened(kT0 + 3 * kDay, "c2", "v1");
  ReportOptions o;
  o.to_ms = kT0 + kDay;
  auto r = report_of(log, o);
  CHECK(r.conversations == 1);
  CHECK(*r.fcr_rate == 0.0);
}

TEST_CASE("window: from is inclusive, to is exclusive at the engine", "[kpi][window]") {
  Log log;
  log.opened(kT0, "c1", "v1").opened(kT0 + kHour, "c2", "v2");
  ReportOptions o;
  o.from_ms = kT0;
  o.to_ms = kT0 + kHour;
  CHECK(report_of(log, o).conversations == 1);
  o.to_ms = kT0 + kHour + 1;
  CHECK(report_of(log, o).conversations == 2);
  o.from_ms = kT0 + 1;
  CHECK(report_of(log, o).conversations == 1);
}
