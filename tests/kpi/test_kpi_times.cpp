// Durations: first response, agent first response, response streaks, queue wait, resolution.
#include "log_builder.hpp"

#include <catch2/catch.hpp>

using namespace kpitest;
using chat::kpi::ReportOptions;

TEST_CASE("first response: first visitor message to the first later bot/agent message", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1")
      .bot(kT0 + 1 * kSec, "c1", "smalltalk")  // greeting before the visitor wrote: not a response
      .visitor(kT0 + 2 * kSec, "c1")
      .system(kT0 + 3 * kSec, "c1")            // system messages are not replies
      .visitor(kT0 + 4 * kSec, "c1")
      .bot(kT0 + 5 * kSec, "c1")               // 3 s after the first visitor message
      .visitor(kT0 + 10 * kSec, "c1")
      .agent(kT0 + 70 * kSec, "c1", "a1");
  log.opened(kT0, "c2", "v2").visitor(kT0 + kSec, "c2");  // never answered: no first response
  log.opened(kT0, "c3", "v3");                            // no visitor message at all
  auto r = report_of(log);
  CHECK(r.conversations == 3);
  CHECK(r.first_response_ms.count == 1);
  CHECK(*r.first_response_ms.p50 == 3000);
  // Streaks: [2 s, 4 s] answered by the bot at 5 s -> 3000; [10 s] answered by an agent -> 60000.
  CHECK(r.response_ms_bot.count == 1);
  CHECK(*r.response_ms_bot.mean == 3000.0);
  CHECK(r.response_ms_agent.count == 1);
  CHECK(*r.response_ms_agent.mean == 60000.0);
}

TEST_CASE("response times: every streak, bot and agent apart", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1")
      .visitor(kT0 + 1000, "c1")
      .bot(kT0 + 1500, "c1")   // 500
      .bot(kT0 + 1600, "c1")   // a second reply answers no new streak
      .visitor(kT0 + 2000, "c1")
      .bot(kT0 + 2200, "c1")   // 200
      .visitor(kT0 + 3000, "c1")
      .visitor(kT0 + 3500, "c1")
      .agent(kT0 + 9000, "c1", "a1")  // 6000 from the streak's first message
      .visitor(kT0 + 10000, "c1");     // never answered: not counted
  auto r = report_of(log);
  CHECK(r.response_ms_bot.count == 2);
  CHECK(*r.response_ms_bot.mean == 350.0);
  CHECK(*r.response_ms_bot.p50 == 200);
  CHECK(*r.response_ms_bot.p90 == 500);
  CHECK(r.response_ms_agent.count == 1);
  CHECK(*r.response_ms_agent.p99 == 6000);
}

TEST_CASE("agent first response, unanswered handoffs and SLA", "[kpi]") {
  Log log;
  // c1: agent message before the handoff does not count; two handoffs, the first one counts.
  log.opened(kT0, "c1", "v1")
      .visitor(kT0 + kSec, "c1")
      .agent(kT0 + 2 * kSec, "c1", "a9")
      .handoff(kT0 + 10 * kSec, "c1")
      .handoff(kT0 + 20 * kSec, "c1")
      .assigned(kT0 + 30 * kSec, "c1", "a1")
      .agent(kT0 + 50 * kSec, "c1", "a1");  // 40 s after the first handoff
  // c2: handoff, assigned, but no agent ever writes.
  log.opened(kT0, "c2", "v2").visitor(kT0 + kSec, "c2").handoff(kT0 + 2 * kSec, "c2").assigned(kT0 + 5 * kSec, "c2", "a2");
  // c3: answered in exactly 60 s (within the target); c4: 61 s (missed).
  log.opened(kT0, "c3", "v3").handoff(kT0 + kSec, "c3").agent(kT0 + 61 * kSec, "c3", "a1");
  log.opened(kT0, "c4", "v4").handoff(kT0 + kSec, "c4").agent(kT0 + 62 * kSec, "c4", "a2");
  // c5: only an agent message before its handoff.
  log.opened(kT0, "c5", "v5").agent(kT0, "c5", "a1").handoff(kT0 + kSec, "c5");
  auto r = report_of(log);
  CHECK(r.agent_first_response_ms.count == 3);
  CHECK(*r.agent_first_response_ms.p50 == 60000);
  CHECK(*r.agent_first_response_ms.mean == Approx((40000.0 + 60000.0 + 61000.0) / 3).epsilon(1e-12));
  CHECK(r.unanswered_handoffs == 2);
  REQUIRE(r.sla_rate);
  CHECK(*r.sla_rate == Approx(2.0 / 3.0).epsilon(1e-12));
  ReportOptions strict;
  strict.sla_target_ms = 45 * kSec;
  CHECK(*report_of(log, strict).sla_rate == Approx(1.0 / 3.0).epsilon(1e-12));
}

TEST_CASE("queue wait: each handoff to the next assignment", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1")
      .handoff(kT0 + 10 * kSec, "c1")
      .handoff(kT0 + 20 * kSec, "c1")
      .assigned(kT0 + 30 * kSec, "c1", "a1")   // 20 s and 10 s
      .assigned(kT0 + 40 * kSec, "c1", "a2");  // no pending handoff
  log.opened(kT0, "c2", "v2").handoff(kT0, "c2").abandoned(kT0 + 90 * kSec, "c2", "queue");  // never assigned
  auto r = report_of(log);
  CHECK(r.queue_wait_ms.count == 2);
  CHECK(*r.queue_wait_ms.p50 == 10000);
  CHECK(*r.queue_wait_ms.p90 == 20000);
  CHECK(*r.queue_wait_ms.mean == 15000.0);
}

TEST_CASE("resolution time: opening to the last resolution, reopen included", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1")
      .resolved(kT0 + kMin, "c1", "bot")
      .reopened(kT0 + 2 * kMin, "c1")
      .resolved(kT0 + 5 * kMin, "c1", "agent", "a1");
  log.opened(kT0, "c2", "v2").resolved(kT0 + 30 * kSec, "c2", "visitor");
  log.opened(kT0, "c3", "v3").abandoned(kT0 + kMin, "c3", "bot");
  auto r = report_of(log);
  CHECK(r.resolution_ms.count == 2);
  CHECK(*r.resolution_ms.p50 == 30000);
  CHECK(*r.resolution_ms.p99 == 300000);
  CHECK(*r.resolution_ms.mean == 165000.0);
}

TEST_CASE("empty log: zero counts and nulls everywhere", "[kpi]") {
  auto r = report_of(Log{});
  CHECK(r.conversations == 0);
  CHECK(r.first_response_ms.count == 0);
  CHECK_FALSE(r.first_response_ms.mean);
  CHECK_FALSE(r.first_response_ms.p50);
  CHECK_FALSE(r.fcr_rate);
  CHECK_FALSE(r.bot_containment_rate);
  CHECK_FALSE(r.handoff_rate);
  CHECK_FALSE(r.abandonment_rate);
  CHECK_FALSE(r.transfer_rate);
  CHECK_FALSE(r.sla_rate);
  CHECK(r.csat.count == 0);
  CHECK_FALSE(r.csat.mean);
  CHECK_FALSE(r.csat.satisfied_rate);
  CHECK(r.nps.count == 0);
  CHECK_FALSE(r.nps.score);
  CHECK_FALSE(r.conversion_rate.all);
  auto j = chat::kpi::to_json(r);
  CHECK(j["fcr_rate"].is_null());
  CHECK(j["first_response_ms"]["p50"].is_null());
  CHECK(j["first_response_ms"]["count"] == 0);
  CHECK(j["volume"]["by_hour"].size() == 24);
  CHECK(j["volume"]["by_day"].empty());
}

TEST_CASE("events of conversations never opened are ignored", "[kpi]") {
  Log log;
  log.visitor(kT0, "ghost").bot(kT0 + 1000, "ghost").handoff(kT0, "ghost").csat(kT0, "ghost", 1);
  log.opened(kT0, "c1", "v1").visitor(kT0, "c1").bot(kT0 + 700, "c1");
  auto r = report_of(log);
  CHECK(r.conversations == 1);
  CHECK(r.first_response_ms.count == 1);
  CHECK(*r.handoff_rate == 0.0);
  CHECK(r.csat.count == 0);
}
