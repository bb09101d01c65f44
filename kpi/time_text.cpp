// time_text.cpp — civil-date arithmetic (Howard Hinnant's algorithms), parsing and printing.
#include "time_text.hpp"

#include <cmath>
#include <cstdio>

namespace chat::kpi {

namespace {
constexpr std::int64_t kDay = 86'400'000;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  std::int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  auto doe = static_cast<unsigned>(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

unsigned days_in_month(int y, unsigned m) {
  static const unsigned k[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : k[m - 1];
}
}  // namespace

std::int64_t days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  auto yoe = static_cast<unsigned>(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<ParsedDate> parse_date(std::string_view s) {
  int y, mo, d;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || unsigned(d) > days_in_month(y, unsigned(mo))) return std::nullopt;
  std::int64_t ms = days_from_civil(y, unsigned(mo), unsigned(d)) * kDay;
  if (s.size() == 10) return ParsedDate{ms, true};
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return std::nullopt;
  int hh, mm, ss = 0;
  if (!digits(s, 11, 2, hh) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, mm)) return std::nullopt;
  std::size_t p = 16;
  std::int64_t frac_ms = 0;
  if (p < s.size() && s[p] == ':') {
    if (!digits(s, p + 1, 2, ss)) return std::nullopt;
    p += 3;
    if (p < s.size() && (s[p] == '.' || s[p] == ',')) {
      ++p;
      std::size_t start = p;
      int scale = 100;
      while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
        frac_ms += (s[p] - '0') * scale;
        scale /= 10;
        ++p;
      }
      if (p == start) return std::nullopt;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  std::int64_t offset_min = 0;
  if (p == s.size()) {
    // no zone designator: taken as UTC
  } else if ((s[p] == 'Z' || s[p] == 'z') && p + 1 == s.size()) {
  } else if (s[p] == '+' || s[p] == '-') {
    int oh, om;
    if (!digits(s, p + 1, 2, oh)) return std::nullopt;
    std::size_t q = p + 3;
    if (q < s.size() && s[q] == ':') ++q;
    if (!digits(s, q, 2, om) || q + 2 != s.size() || oh > 23 || om > 59) return std::nullopt;
    offset_min = (oh * 60 + om) * (s[p] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  ms += ((hh * 60 + mm) * 60 + ss) * 1000LL + frac_ms - offset_min * 60'000;
  return ParsedDate{ms, false};
}

std::optional<std::int64_t> parse_duration_ms(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t total = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t start = i;
    std::int64_t n = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      n = n * 10 + (s[i] - '0');
      if (n > 1'000'000'000'000LL) return std::nullopt;
      ++i;
    }
    if (i == start) return std::nullopt;
    std::size_t ustart = i;
    while (i < s.size() && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'))) ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    std::int64_t mult;
    if (unit == "ms") mult = 1;
    else if (unit == "s") mult = 1000;
    else if (unit == "m" || unit == "min") mult = 60'000;
    else if (unit == "h") mult = 3'600'000;
    else if (unit == "d") mult = kDay;
    else if (unit == "w") mult = 7 * kDay;
    else return std::nullopt;
    total += n * mult;
  }
  return total;
}

std::string format_iso(std::int64_t ms) {
  std::int64_t days = floor_div(ms, kDay);
  std::int64_t rem = ms - days * kDay;
  int y;
  unsigned m, d;
  civil_from_days(days, y, m, d);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", y, m, d, int(rem / 3'600'000),
                int(rem / 60'000 % 60), int(rem / 1000 % 60), int(rem % 1000));
  return buf;
}

std::string format_day(std::int64_t ms) {
  int y;
  unsigned m, d;
  civil_from_days(floor_div(ms, kDay), y, m, d);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
  return buf;
}

int hour_of_day(std::int64_t ms) {
  std::int64_t rem = ms - floor_div(ms, kDay) * kDay;
  return static_cast<int>(rem / 3'600'000);
}

std::string humanize_ms(double ms) {
  char buf[48];
  bool neg = ms < 0;
  double a = std::fabs(ms);
  const char* sign = neg ? "-" : "";
  if (a < 1000) {
    std::snprintf(buf, sizeof buf, "%s%.0f ms", sign, a);
  } else if (a < 60'000) {
    std::snprintf(buf, sizeof buf, "%s%.1f s", sign, a / 1000);
  } else if (a < 3'600'000) {
    auto s = static_cast<long long>(std::llround(a / 1000));
    std::snprintf(buf, sizeof buf, "%s%lldm %02llds", sign, s / 60, s % 60);
  } else if (a < double(kDay)) {
    auto m = static_cast<long long>(std::llround(a / 60'000));
    std::snprintf(buf, sizeof buf, "%s%lldh %02lldm", sign, m / 60, m % 60);
  } else {
    auto h = static_cast<long long>(std::llround(a / 3'600'000));
    std::snprintf(buf, sizeof buf, "%s%lldd %lldh", sign, h / 24, h % 24);
  }
  return buf;
}

}  // namespace chat::kpi
