// render_csv.cpp — chat-kpi --csv: one row per selected conversation (RFC 4180 quoting),
// durations in milliseconds, empty cells where a figure does not apply.
#include "cli.hpp"
#include "time_text.hpp"

#include <cmath>
#include <cstdio>

namespace chat::kpi::cli {

namespace {
void field(std::ostream& o, std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    o << s;
    return;
  }
  o << '"';
  for (char c : s) {
    if (c == '"') o << '"';
    o << c;
  }
  o << '"';
}
void ms(std::ostream& o, const std::optional<std::int64_t>& v) {
  if (v) o << *v;
}
}  // namespace

void render_csv(std::ostream& o, Engine& engine, const ReportOptions& options) {
  o << "conversation,visitor,opened,first_response_ms,agent_first_response_ms,queue_wait_ms,resolution_ms,"
       "resolved_by,fcr,csat\n";
  engine.for_each_conversation(options, [&](const ConversationRow& r) {
    field(o, r.conversation);
    o << ',';
    field(o, r.visitor);
    o << ',' << format_iso(r.opened_ms) << ',';
    ms(o, r.first_response_ms);
    o << ',';
    ms(o, r.agent_first_response_ms);
    o << ',';
    ms(o, r.queue_wait_ms);
    o << ',';
    ms(o, r.resolution_ms);
    o << ',' << r.resolved_by << ',';
    if (r.fcr) o << (*r.fcr ? "yes" : "no");
    o << ',';
    if (r.csat) {
      char b[32];
      std::snprintf(b, sizeof b, "%g", *r.csat);
      o << b;
    }
    o << '\n';
  });
}

}  // namespace chat::kpi::cli
