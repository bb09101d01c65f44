// cli_args.cpp — chat-kpi's flags (cli.md): --json | --csv, --from/--to DATE, --fcr-window,
// --sla, PATH... Both "--flag value" and "--flag=value" are accepted.
#include "cli.hpp"
#include "time_text.hpp"

#include <optional>
#include <string_view>

namespace chat::kpi::cli {

const char* const kUsage =
    "usage: chat-kpi [--json | --csv] [--from DATE] [--to DATE] [--fcr-window 7d] [--sla 60s] PATH...\n"
    "\n"
    "KPI report of the chat event log. PATH is a data directory (every *.jsonl segment under\n"
    "it) or a segment file; several nodes' directories are read as one log.\n"
    "\n"
    "  --json            the report object (event-log.md) as JSON\n"
    "  --csv             one row per conversation\n"
    "  --from DATE       conversations opened at or after DATE\n"
    "  --to DATE         conversations opened up to DATE, inclusive (a day: the whole day)\n"
    "  --fcr-window DUR  window for a visitor coming back after a resolution (default 7d)\n"
    "  --sla DUR         agent first response target (default 60s)\n"
    "  --help            this text\n"
    "\n"
    "DATE: YYYY-MM-DD or ISO-8601 (2024-03-01T12:00:00Z), UTC. DUR: 7d, 12h, 30m, 60s, 500ms.\n"
    "Exit status: 0 ok, 1 runtime failure, 2 usage error.\n";

Args parse_args(int argc, char** argv) {
  Args a;
  bool json = false, csv = false;
  std::optional<ParsedDate> from, to;
  bool only_paths = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (only_paths || arg.empty() || arg[0] != '-' || arg == "-") {
      a.paths.emplace_back(std::string(arg));
      continue;
    }
    if (arg == "--") {
      only_paths = true;
      continue;
    }
    std::string_view flag = arg, inline_value;
    bool has_inline = false;
    if (auto eq = arg.find('='); eq != std::string_view::npos) {
      flag = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
      has_inline = true;
    }
    auto value = [&]() -> std::string_view {
      if (has_inline) return inline_value;
      if (i + 1 >= argc) throw UsageError{"chat-kpi: " + std::string(flag) + " needs a value"};
      return argv[++i];
    };
    auto no_value = [&] {
      if (has_inline) throw UsageError{"chat-kpi: " + std::string(flag) + " takes no value"};
    };
    if (flag == "--help" || flag == "-h") {
      no_value();
      a.help = true;
    } else if (flag == "--json") {
      no_value();
      json = true;
    } else if (flag == "--csv") {
      no_value();
      csv = true;
    } else if (flag == "--from" || flag == "--to") {
      std::string_view v = value();
      auto d = parse_date(v);
      if (!d)
        throw UsageError{"chat-kpi: " + std::string(flag) + ": bad date '" + std::string(v) +
                         "' (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"};
      (flag == "--from" ? from : to) = d;
    } else if (flag == "--fcr-window" || flag == "--sla") {
      std::string_view v = value();
      auto ms = parse_duration_ms(v);
      if (!ms || (flag == "--fcr-window" && *ms <= 0))
        throw UsageError{"chat-kpi: " + std::string(flag) + ": bad duration '" + std::string(v) +
                         "' (expected e.g. 7d, 12h, 60s, 500ms)"};
      (flag == "--sla" ? a.report.sla_target_ms : a.report.fcr_window_ms) = *ms;
    } else {
      throw UsageError{"chat-kpi: unknown flag " + std::string(flag) + " (see --help)"};
    }
  }
  if (a.help) return a;
  if (json && csv) throw UsageError{"chat-kpi: --json and --csv exclude each other"};
  a.format = json ? Format::json : csv ? Format::csv : Format::table;
  if (from) a.report.from_ms = from->ms;
  // --to is inclusive: a date covers its whole day, an instant includes itself.
  if (to) a.report.to_ms = to->date_only ? to->ms + 86'400'000 : to->ms + 1;
  if (a.report.from_ms && a.report.to_ms && *a.report.from_ms >= *a.report.to_ms)
    throw UsageError{"chat-kpi: --from is after --to"};
  if (a.paths.empty()) throw UsageError{"chat-kpi: missing PATH (a data directory or a segment file)"};
  return a;
}

}  // namespace chat::kpi::cli
