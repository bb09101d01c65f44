// kpi_feed.hpp — a typed message or lifecycle event as the KPI engine reads it, so that the server's live
// KPIs take it without parsing the log line it has just written.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "../../kpi/event.hpp"
#include "message_event.hpp"

namespace chat::router {

// The kpi::Event the engine's parser would read from m.log_line(node, seq); its string views
// point into `m` and `node`. Nothing when the parser would read it differently (a visitor's
// text that is not valid UTF-8 is replaced in the line): the caller then adds the line.
std::optional<kpi::Event> kpi_event(const MessageEvent& m, std::string_view node, std::uint64_t seq);
// The same for a lifecycle event (its views point into `e` and `node`).
kpi::Event kpi_event(const ConvEvent& e, std::string_view node, std::uint64_t seq);

}  // namespace chat::router
