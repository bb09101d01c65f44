// log_builder.hpp — hand-made event logs for the KPI tests: one call per event, lines built
// exactly as the server writes them (v, ts, node, seq, type, conv, ...), seq per node.
#pragma once

#include "engine.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kpitest {

using nlohmann::json;

constexpr std::int64_t kSec = 1000, kMin = 60 * kSec, kHour = 60 * kMin, kDay = 24 * kHour;
// 2024-03-01T00:00:00Z
constexpr std::int64_t kT0 = 1709251200000;

struct Log {
  std::vector<std::string> lines;
  std::map<std::string, std::uint64_t> seqs;
  std::string node = "n1";

  Log& on(std::string n) {
    node = std::move(n);
    return *this;
  }
  Log& ev(std::int64_t ts, const std::string& type, const std::string& conv, json extra = json::object()) {
    json j = {{"v", 1}, {"ts", ts}, {"node", node}, {"seq", ++seqs[node]}, {"type", type}};
    if (!conv.empty()) j["conv"] = conv;
    for (auto& [k, v] : extra.items()) j[k] = v;
    lines.push_back(j.dump());
    return *this;
  }
  Log& opened(std::int64_t ts, const std::string& conv, const std::string& visitor) {
    return ev(ts, "conversation.opened", conv, {{"visitor", visitor}, {"lang", "fr"}});
  }
  Log& visitor(std::int64_t ts, const std::string& conv, json text = "hello") {
    return ev(ts, "message", conv, {{"msg", "m" + std::to_string(lines.size())}, {"author", "visitor"}, {"text", text}});
  }
  Log& bot(std::int64_t ts, const std::string& conv, const std::string& outcome = "answer", json faq = "delivery") {
    return ev(ts, "message", conv,
              {{"msg", "m" + std::to_string(lines.size())}, {"author", "bot"}, {"text", "..."}, {"faq", faq},
               {"score", 0.8}, {"outcome", outcome}});
  }
  Log& agent(std::int64_t ts, const std::string& conv, const std::string& agent_id) {
    return ev(ts, "message", conv,
              {{"msg", "m" + std::to_string(lines.size())}, {"author", "agent"}, {"agent", agent_id}, {"text", "hi"}});
  }
  Log& system(std::int64_t ts, const std::string& conv) {
    return ev(ts, "message", conv, {{"msg", "m" + std::to_string(lines.size())}, {"author", "system"}, {"text", "x"}});
  }
  Log& handoff(std::int64_t ts, const std::string& conv, const std::string& reason = "visitor_asked") {
    return ev(ts, "handoff.requested", conv, {{"reason", reason}});
  }
  Log& assigned(std::int64_t ts, const std::string& conv, const std::string& agent_id, const std::string& by = "auto") {
    return ev(ts, "conversation.assigned", conv, {{"agent", agent_id}, {"by", by}});
  }
  Log& transferred(std::int64_t ts, const std::string& conv, const std::string& from, const std::string& to) {
    return ev(ts, "conversation.transferred", conv, {{"from_agent", from}, {"to_agent", to}});
  }
  Log& resolved(std::int64_t ts, const std::string& conv, const std::string& by = "bot", const std::string& agent_id = "") {
    json extra = {{"by", by}};
    if (!agent_id.empty()) extra["agent"] = agent_id;
    return ev(ts, "conversation.resolved", conv, extra);
  }
  Log& reopened(std::int64_t ts, const std::string& conv) { return ev(ts, "conversation.reopened", conv); }
  Log& abandoned(std::int64_t ts, const std::string& conv, const std::string& stage) {
    return ev(ts, "conversation.abandoned", conv, {{"stage", stage}});
  }
  Log& csat(std::int64_t ts, const std::string& conv, int score) { return ev(ts, "csat", conv, {{"score", score}}); }
  Log& nps(std::int64_t ts, const std::string& conv, const std::string& visitor_id, int score) {
    return ev(ts, "nps", conv, {{"score", score}, {"visitor", visitor_id}});
  }
  Log& tagged(std::int64_t ts, const std::string& conv, const std::string& tag) {
    return ev(ts, "conversation.tagged", conv, {{"tag", tag}, {"agent", "a1"}});
  }
  Log& converted(std::int64_t ts, const std::string& visitor_id, double value = 42.5) {
    return ev(ts, "visitor.converted", "", {{"visitor", visitor_id}, {"value", value}, {"currency", "EUR"}});
  }
  Log& raw(std::string line) {
    lines.push_back(std::move(line));
    return *this;
  }
};

inline chat::kpi::Report report_of(const std::vector<std::string>& lines, const chat::kpi::ReportOptions& o = {}) {
  chat::kpi::Engine e;
  for (const auto& l : lines) e.add_line(l);
  return e.report(o);
}
inline chat::kpi::Report report_of(const Log& log, const chat::kpi::ReportOptions& o = {}) {
  return report_of(log.lines, o);
}

}  // namespace kpitest
