// Order independence: several nodes, events out of order, shuffles, duplicates, and the
// lines every reader must skip.
#include "log_builder.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

using namespace kpitest;

namespace {
Log two_node_conversation() {
  Log log;
  // One conversation served by two nodes (a failover): its events interleave by ts.
  log.on("n1").opened(kT0, "c1", "v1").visitor(kT0 + 1000, "c1", "hi");
  log.on("n2").bot(kT0 + 1800, "c1", "fallback", nullptr).visitor(kT0 + 5000, "c1", "Human please");
  log.on("n1").handoff(kT0 + 5100, "c1").assigned(kT0 + 9000, "c1", "a1");
  log.on("n2").agent(kT0 + 12000, "c1", "a1").resolved(kT0 + 60000, "c1", "agent", "a1");
  log.on("n1").csat(kT0 + 70000, "c1", 5);
  return log;
}
}  // namespace

TEST_CASE("order: events arriving out of order across nodes give the same report", "[kpi][order]") {
  Log log = two_node_conversation();
  auto expected = chat::kpi::to_json(report_of(log));
  CHECK(expected["first_response_ms"]["p50"] == 800);
  CHECK(expected["agent_first_response_ms"]["p50"] == 6900);
  CHECK(expected["queue_wait_ms"]["p50"] == 3900);
  CHECK(expected["unanswered"][0]["text"] == "hi");

  std::mt19937 rng(42);
  for (int round = 0; round < 20; ++round) {
    auto lines = log.lines;
    std::shuffle(lines.begin(), lines.end(), rng);
    CHECK(chat::kpi::to_json(report_of(lines)) == expected);
  }
  // Node n2's lines all before n1's (a reader that reads one node's files first).
  std::vector<std::string> by_node;
  for (auto& l : log.lines) if (l.find("\"node\":\"n2\"") != std::string::npos) by_node.push_back(l);
  for (auto& l : log.lines) if (l.find("\"node\":\"n1\"") != std::string::npos) by_node.push_back(l);
  CHECK(chat::kpi::to_json(report_of(by_node)) == expected);
}

TEST_CASE("order: equal timestamps are ordered by node, then seq", "[kpi][order]") {
  Log log;
  // Same ms on two nodes: (ts, node, seq) puts node "a" first, so the bot message on "a"
  // precedes the visitor message on "b" and does not answer it.
  log.on("b").opened(kT0, "c1", "v1").visitor(kT0 + 1000, "c1");
  log.on("a").bot(kT0 + 1000, "c1");
  auto r = report_of(log);
  CHECK(r.first_response_ms.count == 0);
  // Within one node, seq breaks the tie.
  Log one;
  one.opened(kT0, "c1", "v1").visitor(kT0 + 1000, "c1").bot(kT0 + 1000, "c1");
  CHECK(report_of(one).first_response_ms.count == 1);
  CHECK(*report_of(one).first_response_ms.p50 == 0);
}

TEST_CASE("order: the same event read twice counts once", "[kpi][order]") {
  Log log;
  log.opened(kT0, "c1", "v1").visitor(kT0 + 1000, "c1").bot(kT0 + 1500, "c1").csat(kT0 + 2000, "c1", 4);
  auto lines = log.lines;
  lines.insert(lines.end(), log.lines.begin(), log.lines.end());
  CHECK(chat::kpi::to_json(report_of(lines)) == chat::kpi::to_json(report_of(log)));
  CHECK(report_of(lines).response_ms_bot.count == 1);
}

TEST_CASE("skipped lines: unknown types, unknown fields, torn and invalid lines", "[kpi][order]") {
  Log log;
  log.opened(kT0, "c1", "v1").visitor(kT0 + 1000, "c1").bot(kT0 + 1500, "c1");
  auto expected = chat::kpi::to_json(report_of(log));
  Log noisy = log;
  noisy.ev(kT0 + 1200, "conversation.snoozed", "c1", {{"until", 5}});           // unknown type
  noisy.ev(kT0 + 1300, "note", "c1", {{"agent", "a1"}, {"text", "internal"}});  // known, no KPI
  noisy.raw(R"({"v":1,"ts":1709251200000,"node":"n1","seq":99,"type":"message","conv":"c1","autho)");  // torn
  noisy.raw("not json at all");
  noisy.raw(R"({"v":1,"ts":1709251201600,"node":"n1","seq":100,"type":"message","conv":"c1","author":"bot","outcome":"answer","faq":"x","new_field":{"deep":[1,2]}})");
  chat::kpi::Engine e;
  for (auto& l : noisy.lines) e.add_line(l);
  auto j = chat::kpi::to_json(e.report({}));
  CHECK(e.counters().unknown_type == 1);
  CHECK(e.counters().invalid == 2);
  CHECK(e.counters().ignored == 1);
  // The extra bot answer with an unknown field counts as an answer; nothing else changed.
  REQUIRE(j["topics"].size() == 2);
  CHECK(j["topics"][0]["faq"] == "delivery");
  CHECK(j["topics"][1]["faq"] == "x");
  j.erase("topics");
  expected.erase("topics");
  CHECK(j == expected);
}
