// Satisfaction and breakdowns: CSAT, NPS, agents, topics, unanswered questions, tags,
// conversion, volume.
#include "log_builder.hpp"

#include <catch2/catch.hpp>

using namespace kpitest;

TEST_CASE("CSAT: the last rating of each conversation", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").csat(kT0 + kMin, "c1", 2).csat(kT0 + 2 * kMin, "c1", 5);
  log.opened(kT0, "c2", "v2").csat(kT0 + kMin, "c2", 3);
  log.opened(kT0, "c3", "v3");
  auto r = report_of(log);
  CHECK(r.csat.count == 2);
  CHECK(*r.csat.mean == 4.0);
  CHECK(*r.csat.satisfied_rate == 0.5);
}

TEST_CASE("NPS: the last answer of each visitor, across conversations", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").nps(kT0 + kMin, "c1", "v1", 3);
  log.opened(kT0 + kDay, "c2", "v1").nps(kT0 + kDay + kMin, "c2", "v1", 10);  // v1: promoter
  log.opened(kT0, "c3", "v2").nps(kT0 + kMin, "c3", "v2", 7);                 // passive
  log.opened(kT0, "c4", "v3").nps(kT0 + kMin, "c4", "v3", 6);                 // detractor
  log.opened(kT0, "c5", "v4").nps(kT0 + kMin, "c5", "v4", 9);                 // promoter
  auto r = report_of(log);
  CHECK(r.nps.count == 4);
  CHECK(*r.nps.score == 25.0);  // (2 - 1) / 4 * 100
}

TEST_CASE("agents: assignments, resolutions, first response p50, CSAT credit", "[kpi]") {
  Log log;
  // c1: a1 answers first (30 s), transfers to a2, who resolves; CSAT 4 goes to a2 (last assigned).
  log.opened(kT0, "c1", "v1").handoff(kT0, "c1").assigned(kT0 + kSec, "c1", "a1").agent(kT0 + 30 * kSec, "c1", "a1")
      .transferred(kT0 + kMin, "c1", "a1", "a2").assigned(kT0 + kMin + 1, "c1", "a2", "transfer")
      .agent(kT0 + 2 * kMin, "c1", "a2").resolved(kT0 + 3 * kMin, "c1", "agent", "a2").csat(kT0 + 4 * kMin, "c1", 4);
  // c2: a1 (90 s), resolves, CSAT 2.
  log.opened(kT0, "c2", "v2").handoff(kT0, "c2").assigned(kT0 + kSec, "c2", "a1").agent(kT0 + 90 * kSec, "c2", "a1")
      .resolved(kT0 + 3 * kMin, "c2", "agent", "a1").csat(kT0 + 4 * kMin, "c2", 2);
  // c3: assigned to a2, but a1 writes the first agent message (10 s).
  log.opened(kT0, "c3", "v3").handoff(kT0, "c3").assigned(kT0 + kSec, "c3", "a2").agent(kT0 + 10 * kSec, "c3", "a1");
  auto r = report_of(log);
  REQUIRE(r.agents.size() == 2);
  const auto& a1 = r.agents[0];
  const auto& a2 = r.agents[1];
  CHECK(a1.agent == "a1");
  CHECK(a1.assigned == 2);
  CHECK(a1.resolved == 1);
  CHECK(*a1.first_response_p50_ms == 30000);  // of 10 s, 30 s, 90 s
  CHECK(*a1.csat_mean == 2.0);
  CHECK(a2.agent == "a2");
  CHECK(a2.assigned == 2);  // c1 by transfer, c3
  CHECK(a2.resolved == 1);
  CHECK_FALSE(a2.first_response_p50_ms);
  CHECK(*a2.csat_mean == 4.0);
}

TEST_CASE("topics: bot answers per FAQ", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").bot(kT0, "c1", "answer", "delivery").bot(kT0, "c1", "answer", "delivery")
      .bot(kT0, "c1", "suggest", "returns").bot(kT0, "c1", "fallback", nullptr);
  log.opened(kT0, "c2", "v2").bot(kT0, "c2", "answer", "returns").bot(kT0, "c2", "answer", "delivery");
  auto r = report_of(log);
  REQUIRE(r.topics.size() == 2);
  CHECK(*r.topics[0].faq == "delivery");
  CHECK(r.topics[0].answers == 3);
  CHECK(*r.topics[1].faq == "returns");
  CHECK(r.topics[1].answers == 1);
}

TEST_CASE("unanswered questions: grouped by folded text, erased ones shown as null", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").visitor(kT0, "c1", "Where is  my ORDER").bot(kT0 + 1, "c1", "fallback", nullptr);
  log.opened(kT0, "c2", "v2").visitor(kT0, "c2", "  where is\tmy order ").bot(kT0 + 1, "c2", "fallback", nullptr);
  log.opened(kT0, "c3", "v3").visitor(kT0, "c3", nullptr).bot(kT0 + 1, "c3", "fallback", nullptr);
  log.opened(kT0, "c4", "v4").visitor(kT0, "c4", "A").visitor(kT0 + 1, "c4", "B").bot(kT0 + 2, "c4", "fallback", nullptr);
  log.opened(kT0, "c5", "v5").bot(kT0, "c5", "fallback", nullptr);  // nothing asked before it
  log.opened(kT0, "c6", "v6").visitor(kT0, "c6", "X").agent(kT0 + 1, "c6", "a1").bot(kT0 + 2, "c6", "fallback", nullptr);
  log.opened(kT0, "c7", "v7").visitor(kT0, "c7", "Where is my order").bot(kT0 + 1, "c7", "answer");
  auto r = report_of(log);
  REQUIRE(r.unanswered.size() == 4);
  CHECK(*r.unanswered[0].text == "where is my order");
  CHECK(r.unanswered[0].count == 2);
  CHECK_FALSE(r.unanswered[1].text);  // erased, count 1, sorts before texts of equal count
  CHECK(r.unanswered[1].count == 1);
  CHECK(*r.unanswered[2].text == "b");
  CHECK(*r.unanswered[3].text == "x");
  auto j = chat::kpi::to_json(r);
  CHECK(j["unanswered"][1]["text"].is_null());
  // Erased texts still count everywhere else.
  CHECK(r.first_response_ms.count == 6);
}

TEST_CASE("tags: conversations per tag", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").tagged(kT0, "c1", "vip").tagged(kT0 + 1, "c1", "vip").tagged(kT0 + 2, "c1", "complaint");
  log.opened(kT0, "c2", "v2").tagged(kT0, "c2", "vip");
  auto r = report_of(log);
  REQUIRE(r.tags.size() == 2);
  CHECK(r.tags[0].tag == "vip");
  CHECK(r.tags[0].conversations == 2);
  CHECK(r.tags[1].tag == "complaint");
  CHECK(r.tags[1].conversations == 1);
}

TEST_CASE("conversion after chat: per visitor, split by how the conversation ended", "[kpi]") {
  Log log;
  log.opened(kT0, "c1", "v1").resolved(kT0 + kMin, "c1", "bot");  // bot-resolved
  log.converted(kT0 + 2 * kDay, "v1");                            // hit
  log.opened(kT0, "c2", "v2").handoff(kT0, "c2").resolved(kT0 + kMin, "c2", "agent", "a1");  // agent-resolved
  log.converted(kT0 + 8 * kDay, "v2");                                                       // too late
  log.converted(kT0 - kHour, "v3");
  log.opened(kT0, "c3", "v3").abandoned(kT0 + kMin, "c3", "bot");  // unresolved; purchase was before
  log.opened(kT0, "c4", "v4");                                     // unresolved
  log.converted(kT0 + 6 * kDay, "v4");                             // hit
  log.opened(kT0, "c5", "v5").resolved(kT0 + kMin, "c5", "visitor");  // bot-resolved, no purchase near it
  log.opened(kT0 + 10 * kDay, "c6", "v5");                            // unresolved
  log.converted(kT0 + 11 * kDay, "v5");                               // hit for c6 only
  log.converted(kT0, "v-no-chat");                                    // not a chat visitor
  auto r = report_of(log);
  CHECK(r.counts.visitors == 5);
  CHECK(*r.conversion_rate.all == Approx(3.0 / 5.0).epsilon(1e-12));
  CHECK(*r.conversion_rate.bot_resolved == 0.5);
  CHECK(*r.conversion_rate.agent_resolved == 0.0);
  CHECK(*r.conversion_rate.unresolved == Approx(2.0 / 3.0).epsilon(1e-12));
}

TEST_CASE("volume: conversations opened per hour of day and per day, UTC", "[kpi]") {
  Log log;
  log.opened(kT0 + 5 * kMin, "c1", "v1");
  log.opened(kT0 + 23 * kHour + 59 * kMin, "c2", "v2");
  log.opened(kT0 + kDay + 23 * kHour, "c3", "v3");
  auto r = report_of(log);
  CHECK(r.by_hour[0] == 1);
  CHECK(r.by_hour[23] == 2);
  REQUIRE(r.by_day.size() == 2);
  CHECK(r.by_day["2024-03-01"] == 2);
  CHECK(r.by_day["2024-03-02"] == 1);
}
