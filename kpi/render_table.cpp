// render_table.cpp — chat-kpi's default output: the report as a readable text table, with
// durations humanised ("1m 12s", "850 ms") and rates as percentages.
#include "cli.hpp"
#include "time_text.hpp"

#include <cstdio>
#include <string>

namespace chat::kpi::cli {

namespace {

std::string pct(const std::optional<double>& r) {
  if (!r) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.1f%%", *r * 100);
  return b;
}
std::string dur(const std::optional<double>& ms) { return ms ? humanize_ms(*ms) : "-"; }
std::string dur(const std::optional<std::int64_t>& ms) { return ms ? humanize_ms(double(*ms)) : "-"; }
std::string num(const std::optional<double>& v, const char* fmt = "%.2f") {
  if (!v) return "-";
  char b[32];
  std::snprintf(b, sizeof b, fmt, *v);
  return b;
}
std::string pad(std::string s, std::size_t w) {
  if (s.size() < w) s.append(w - s.size(), ' ');
  return s;
}
std::string lpad(std::string s, std::size_t w) {
  if (s.size() < w) s.insert(0, w - s.size(), ' ');
  return s;
}

void dist_row(std::ostream& o, const char* name, const Distribution& d) {
  o << "  " << pad(name, 26) << lpad(std::to_string(d.count), 9) << lpad(dur(d.mean), 11) << lpad(dur(d.p50), 11)
    << lpad(dur(d.p90), 11) << lpad(dur(d.p99), 11) << "\n";
}

}  // namespace

void render_table(std::ostream& o, const Report& r, const ReportOptions& opt) {
  o << "Conversations: " << r.conversations;
  if (opt.from_ms || opt.to_ms) {
    o << "  (opened " << (opt.from_ms ? format_iso(*opt.from_ms) : std::string("-")) << " .. "
      << (opt.to_ms ? format_iso(*opt.to_ms - 1) : std::string("-")) << ")";
  }
  o << "\n\n";
  o << "  " << pad("Durations", 26) << lpad("count", 9) << lpad("mean", 11) << lpad("p50", 11) << lpad("p90", 11)
    << lpad("p99", 11) << "\n";
  dist_row(o, "first response", r.first_response_ms);
  dist_row(o, "agent first response", r.agent_first_response_ms);
  dist_row(o, "response (bot)", r.response_ms_bot);
  dist_row(o, "response (agent)", r.response_ms_agent);
  dist_row(o, "queue wait", r.queue_wait_ms);
  dist_row(o, "resolution", r.resolution_ms);
  o << "\n";
  o << "  " << pad("unanswered handoffs", 28) << r.unanswered_handoffs << "\n";
  o << "  " << pad("first-contact resolution", 28) << pct(r.fcr_rate) << "  (window " << humanize_ms(double(opt.fcr_window_ms)) << ")\n";
  o << "  " << pad("bot containment", 28) << pct(r.bot_containment_rate) << "\n";
  o << "  " << pad("handoff rate", 28) << pct(r.handoff_rate) << "\n";
  o << "  " << pad("abandonment in queue", 28) << pct(r.abandonment_rate) << "\n";
  o << "  " << pad("transfer rate", 28) << pct(r.transfer_rate) << "\n";
  o << "  " << pad("SLA compliance", 28) << pct(r.sla_rate) << "  (target " << humanize_ms(double(opt.sla_target_ms)) << ")\n";
  o << "  " << pad("CSAT", 28) << num(r.csat.mean) << " / 5, " << pct(r.csat.satisfied_rate) << " satisfied ("
    << r.csat.count << " ratings)\n";
  o << "  " << pad("NPS", 28) << num(r.nps.score, "%.1f") << " (" << r.nps.count << " visitors)\n";
  o << "  " << pad("conversion after chat", 28) << pct(r.conversion_rate.all) << "  (bot-resolved "
    << pct(r.conversion_rate.bot_resolved) << ", agent-resolved " << pct(r.conversion_rate.agent_resolved)
    << ", unresolved " << pct(r.conversion_rate.unresolved) << ")\n";

  if (!r.agents.empty()) {
    o << "\n  " << pad("Agent", 24) << lpad("assigned", 10) << lpad("resolved", 10) << lpad("1st resp p50", 14)
      << lpad("CSAT", 8) << "\n";
    for (const auto& a : r.agents)
      o << "  " << pad(a.agent, 24) << lpad(std::to_string(a.assigned), 10) << lpad(std::to_string(a.resolved), 10)
        << lpad(dur(a.first_response_p50_ms), 14) << lpad(num(a.csat_mean), 8) << "\n";
  }
  if (!r.topics.empty()) {
    o << "\n  " << pad("FAQ topic", 40) << lpad("answers", 10) << "\n";
    for (const auto& t : r.topics) o << "  " << pad(t.faq.value_or("(none)"), 40) << lpad(std::to_string(t.answers), 10) << "\n";
  }
  if (!r.unanswered.empty()) {
    o << "\n  Unanswered questions (most frequent)\n";
    std::size_t shown = 0;
    for (const auto& u : r.unanswered) {
      if (++shown > 20) {
        o << "  ... " << r.unanswered.size() - 20 << " more (see --json)\n";
        break;
      }
      std::string t = u.text.value_or("(erased)");
      if (t.size() > 70) t = t.substr(0, 67) + "...";
      o << "  " << lpad(std::to_string(u.count), 8) << "  " << t << "\n";
    }
  }
  if (!r.tags.empty()) {
    o << "\n  " << pad("Tag", 24) << lpad("conversations", 14) << "\n";
    for (const auto& t : r.tags) o << "  " << pad(t.tag, 24) << lpad(std::to_string(t.conversations), 14) << "\n";
  }
  o << "\n  Conversations opened per hour (UTC)\n  ";
  for (int h = 0; h < 24; ++h) {
    o << lpad(std::to_string(h), 2) << "h:" << r.by_hour[std::size_t(h)] << (h % 6 == 5 ? "\n  " : "  ");
  }
  if (!r.by_day.empty()) {
    o << "\n  Conversations opened per day (UTC)\n";
    for (const auto& [day, n] : r.by_day) o << "  " << day << "  " << n << "\n";
  }
}

}  // namespace chat::kpi::cli
