// time_text.hpp — dates and durations as people type them and as the report prints them.
//
// Shared by chat-kpi's flags and the server's GET /api/kpi query string, so both accept the
// same spellings: dates "2024-03-01" or ISO-8601 "2024-03-01T12:00:00Z" (also with
// fractional seconds or a ±HH:MM offset), durations "7d", "12h", "30m", "60s", "500ms" and
// sums of those ("1h30m"). All times are UTC milliseconds since the Unix epoch.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chat::kpi {

struct ParsedDate {
  std::int64_t ms;     // the instant (midnight UTC for a date alone)
  bool date_only;      // true for "YYYY-MM-DD"
};

std::optional<ParsedDate> parse_date(std::string_view text);
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

std::int64_t days_from_civil(int y, unsigned m, unsigned d);
std::string format_iso(std::int64_t ms);  // 2024-03-01T12:00:00.000Z
std::string format_day(std::int64_t ms);  // 2024-03-01
int hour_of_day(std::int64_t ms);         // 0..23, UTC
std::string humanize_ms(double ms);       // "850 ms", "12.4 s", "1m 12s", "2h 05m", "3d 4h"

}  // namespace chat::kpi
