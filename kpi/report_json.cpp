// report_json.cpp — the report object as JSON, key for key as event-log.md lists them.
#include "report.hpp"

#include <nlohmann/json.hpp>

namespace chat::kpi {

namespace {
template <class T>
nlohmann::json opt(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json dist(const Distribution& d) {
  return {{"count", d.count}, {"mean", opt(d.mean)}, {"p50", opt(d.p50)}, {"p90", opt(d.p90)}, {"p99", opt(d.p99)}};
}
}  // namespace

nlohmann::json to_json(const Report& r) {
  nlohmann::json j;
  j["conversations"] = r.conversations;
  j["first_response_ms"] = dist(r.first_response_ms);
  j["agent_first_response_ms"] = dist(r.agent_first_response_ms);
  j["response_ms_bot"] = dist(r.response_ms_bot);
  j["response_ms_agent"] = dist(r.response_ms_agent);
  j["queue_wait_ms"] = dist(r.queue_wait_ms);
  j["resolution_ms"] = dist(r.resolution_ms);
  j["unanswered_handoffs"] = r.unanswered_handoffs;
  j["fcr_rate"] = opt(r.fcr_rate);
  j["bot_containment_rate"] = opt(r.bot_containment_rate);
  j["handoff_rate"] = opt(r.handoff_rate);
  j["abandonment_rate"] = opt(r.abandonment_rate);
  j["transfer_rate"] = opt(r.transfer_rate);
  j["sla_rate"] = opt(r.sla_rate);
  j["csat"] = {{"count", r.csat.count}, {"mean", opt(r.csat.mean)}, {"satisfied_rate", opt(r.csat.satisfied_rate)}};
  j["nps"] = {{"count", r.nps.count}, {"score", opt(r.nps.score)}};

  auto agents = nlohmann::json::array();
  for (const auto& a : r.agents)
    agents.push_back({{"agent", a.agent},
                      {"assigned", a.assigned},
                      {"resolved", a.resolved},
                      {"first_response_p50_ms", opt(a.first_response_p50_ms)},
                      {"csat_mean", opt(a.csat_mean)}});
  j["agents"] = std::move(agents);

  auto topics = nlohmann::json::array();
  for (const auto& t : r.topics) topics.push_back({{"faq", opt(t.faq)}, {"answers", t.answers}});
  j["topics"] = std::move(topics);

  auto unanswered = nlohmann::json::array();
  for (const auto& u : r.unanswered) unanswered.push_back({{"text", opt(u.text)}, {"count", u.count}});
  j["unanswered"] = std::move(unanswered);

  auto tags = nlohmann::json::array();
  for (const auto& t : r.tags) tags.push_back({{"tag", t.tag}, {"conversations", t.conversations}});
  j["tags"] = std::move(tags);

  j["conversion_rate"] = {{"all", opt(r.conversion_rate.all)},
                          {"bot_resolved", opt(r.conversion_rate.bot_resolved)},
                          {"agent_resolved", opt(r.conversion_rate.agent_resolved)},
                          {"unresolved", opt(r.conversion_rate.unresolved)}};
  auto by_day = nlohmann::json::object();
  for (const auto& [day, n] : r.by_day) by_day[day] = n;
  j["volume"] = {{"by_hour", r.by_hour}, {"by_day", std::move(by_day)}};
  auto daily = nlohmann::json::object();
  for (const auto& [day, d] : r.daily) {
    daily[day] = {{"conversations", d.conversations},
                  {"resolved", d.resolved},
                  {"fcr_rate", d.resolved ? nlohmann::json(static_cast<double>(d.fcr) / static_cast<double>(d.resolved)) : nlohmann::json(nullptr)},
                  {"csat_count", d.csat_count},
                  {"csat_mean", d.csat_count ? nlohmann::json(d.csat_sum / static_cast<double>(d.csat_count)) : nlohmann::json(nullptr)}};
  }
  j["daily"] = std::move(daily);
  j["response_histogram"] = {{"bounds_ms", Report::kHistogramBoundsMs},
                             {"first_response", r.first_response_histogram},
                             {"agent_first_response", r.agent_first_response_histogram}};
  j["counts"] = {{"resolved", r.counts.resolved},
                 {"handoffs", r.counts.handoffs},
                 {"assigned", r.counts.assigned},
                 {"answered_handoffs", r.counts.answered_handoffs},
                 {"visitors", r.counts.visitors}};
  return j;
}

}  // namespace chat::kpi
