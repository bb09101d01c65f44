// Rates: FCR, bot containment, handoff, abandonment, transfer; their null cases.
#include "log_builder.hpp"

#include <catch2/catch.hpp>

using namespace kpitest;
using chat::kpi::ReportOptions;

TEST_CASE("FCR: reopen, visitor coming back inside and outside the window", "[kpi][fcr]") {
  Log log;
  // vA comes back 6 days after cA's resolution: cA is not FCR; cB is.
  log.opened(kT0, "cA", "vA").resolved(kT0 + kHour, "cA", "bot");
  log.opened(kT0 + kHour + 6 * kDay, "cB", "vA").resolved(kT0 + kHour + 6 * kDay + kMin, "cB", "bot");
  // vC comes back 8 days after: outside the 7-day window, both are FCR.
  log.opened(kT0, "cC", "vC").resolved(kT0 + kHour, "cC", "bot");
  log.opened(kT0 + kHour + 8 * kDay, "cD", "vC").resolved(kT0 + kHour + 8 * kDay + kMin, "cD", "agent", "a1");
  // cE was reopened: never FCR.
  log.opened(kT0, "cE", "vE").resolved(kT0 + kMin, "cE", "bot").reopened(kT0 + 2 * kMin, "cE").resolved(kT0 + 3 * kMin, "cE", "bot");
  // vF opens cG while cF is still open: that is not coming back after cF's resolution.
  log.opened(kT0, "cF", "vF").opened(kT0 + 10 * kMin, "cG", "vF").resolved(kT0 + 20 * kMin, "cG", "bot");
  log.resolved(kT0 + kHour, "cF", "agent", "a1");
  // cH never resolved: not in the denominator.
  log.opened(kT0, "cH", "vH").abandoned(kT0 + kMin, "cH", "bot");
  auto r = report_of(log);
  CHECK(r.counts.resolved == 7);
  REQUIRE(r.fcr_rate);
  CHECK(*r.fcr_rate == Approx(5.0 / 7.0).epsilon(1e-12));

  ReportOptions wide;
  wide.fcr_window_ms = 9 * kDay;  // now vC's return counts too
  CHECK(*report_of(log, wide).fcr_rate == Approx(4.0 / 7.0).epsilon(1e-12));
}

TEST_CASE("FCR: window edge, and the last of repeated resolutions", "[kpi][fcr]") {
  Log log;
  // Back exactly 7 days after the resolution: inside the window.
  log.opened(kT0, "c1", "v1").resolved(kT0 + kHour, "c1", "bot");
  log.opened(kT0 + kHour + 7 * kDay, "c2", "v1");
  // Back 7 days + 1 ms after: outside.
  log.opened(kT0, "c3", "v3").resolved(kT0 + kHour, "c3", "bot");
  log.opened(kT0 + kHour + 7 * kDay + 1, "c4", "v3");
  // Resolved twice without a reopen; the visitor came back between the two: the window starts
  // at the last resolution, so this is still FCR.
  log.opened(kT0, "c5", "v5").resolved(kT0 + kHour, "c5", "agent", "a1");
  log.opened(kT0 + 2 * kHour, "c6", "v5");
  log.resolved(kT0 + 3 * kHour, "c5", "timeout");
  auto r = report_of(log);
  CHECK(r.counts.resolved == 3);
  CHECK(*r.fcr_rate == Approx(2.0 / 3.0).epsilon(1e-12));
}

TEST_CASE("bot containment and handoff rate", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").resolved(kT0 + kMin, "c1", "bot");
  log.opened(kT0, "c2", "v2").resolved(kT0 + kMin, "c2", "visitor");
  log.opened(kT0, "c3", "v3").handoff(kT0 + kSec, "c3").resolved(kT0 + kMin, "c3", "agent", "a1");
  log.opened(kT0, "c4", "v4").handoff(kT0 + kSec, "c4");
  log.opened(kT0, "c5", "v5");
  auto r = report_of(log);
  CHECK(*r.bot_containment_rate == Approx(2.0 / 3.0).epsilon(1e-12));
  CHECK(*r.handoff_rate == Approx(2.0 / 5.0).epsilon(1e-12));
}

TEST_CASE("abandonment: in the queue counts, at the bot or with an agent does not", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").handoff(kT0, "c1").abandoned(kT0 + kMin, "c1", "queue");
  log.opened(kT0, "c2", "v2").handoff(kT0, "c2").assigned(kT0 + kSec, "c2", "a1").abandoned(kT0 + kMin, "c2", "agent");
  log.opened(kT0, "c3", "v3").handoff(kT0, "c3").assigned(kT0 + kSec, "c3", "a1");
  log.opened(kT0, "c4", "v4").abandoned(kT0 + kMin, "c4", "bot");  // no handoff: not in the denominator
  auto r = report_of(log);
  CHECK(*r.abandonment_rate == Approx(1.0 / 3.0).epsilon(1e-12));
}

TEST_CASE("transfer rate among assigned conversations", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").handoff(kT0, "c1").assigned(kT0 + kSec, "c1", "a1")
      .transferred(kT0 + kMin, "c1", "a1", "a2").assigned(kT0 + kMin, "c1", "a2", "transfer");
  log.opened(kT0, "c2", "v2").handoff(kT0, "c2").assigned(kT0 + kSec, "c2", "a1");
  log.opened(kT0, "c3", "v3").handoff(kT0, "c3");  // never assigned
  auto r = report_of(log);
  CHECK(*r.transfer_rate == 0.5);
  CHECK(r.counts.assigned == 2);
}

TEST_CASE("rates are null when their denominator is 0, 0 when only the numerator is", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").visitor(kT0, "c1").bot(kT0 + 500, "c1");
  auto r = report_of(log);
  CHECK(*r.handoff_rate == 0.0);  // 0 of 1
  CHECK_FALSE(r.abandonment_rate);
  CHECK_FALSE(r.sla_rate);
  CHECK_FALSE(r.transfer_rate);
  CHECK_FALSE(r.fcr_rate);
  CHECK_FALSE(r.bot_containment_rate);
  CHECK(*r.conversion_rate.all == 0.0);
  CHECK_FALSE(r.conversion_rate.bot_resolved);
  CHECK_FALSE(r.conversion_rate.agent_resolved);
  CHECK(*r.conversion_rate.unresolved == 0.0);
}
