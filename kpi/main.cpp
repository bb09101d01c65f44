// main.cpp — chat-kpi: reads the event log, prints the KPI report (table, --json or --csv).
// Exit status per cli.md: 0 ok, 1 runtime failure (what and where), 2 usage error.
#include "cli.hpp"
#include "engine.hpp"
#include "log_reader.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <unistd.h>

using namespace chat::kpi;

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  cli::Args args;
  try {
    args = cli::parse_args(argc, argv);
  } catch (const cli::UsageError& e) {
    std::fprintf(stderr, "%s\n", e.message.c_str());
    return 2;
  }
  if (args.help) {
    std::fputs(cli::kUsage, stdout);
    return 0;
  }

  Engine engine;
  ReadStats stats;
  try {
    // Progress on stderr once reading takes more than a couple of seconds.
    auto start = std::chrono::steady_clock::now();
    bool tty = ::isatty(2);
    bool shown = false;
    double last_shown = 0;
    ReaderOptions ro;
    ro.ordered = false;  // the engine does not depend on the order events arrive in
    ro.progress = [&](std::uint64_t done, std::uint64_t total) {
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (secs < 2.0 || (shown && secs - last_shown < (tty ? 0.5 : 2.0) && done < total)) return;
      shown = true;
      last_shown = secs;
      std::fprintf(stderr, "%schat-kpi: read %.0f of %.0f MB (%.0f%%)%s", tty ? "\r" : "", done / 1e6, total / 1e6,
                   total ? 100.0 * double(done) / double(total) : 100.0, tty ? "" : "\n");
    };
    stats = read_log(args.paths, [&](const Event& ev, std::string_view) { engine.add(ev); }, ro);
    if (shown && tty) std::fputc('\n', stderr);
  } catch (const ReadError& e) {
    std::fprintf(stderr, "chat-kpi: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chat-kpi: %s\n", e.what());
    return 1;
  }

  std::uint64_t skipped = stats.torn + stats.invalid + stats.unknown_type;
  if (skipped) {
    std::fprintf(stderr, "chat-kpi: warning: skipped %llu line(s): %llu torn, %llu invalid, %llu of unknown type\n",
                 (unsigned long long)skipped, (unsigned long long)stats.torn, (unsigned long long)stats.invalid,
                 (unsigned long long)stats.unknown_type);
    for (const auto& w : stats.warnings) std::fprintf(stderr, "chat-kpi: warning: %s\n", w.c_str());
  }

  try {
    switch (args.format) {
      case cli::Format::json:
        std::cout << to_json(engine.report(args.report)).dump() << "\n";
        break;
      case cli::Format::csv:
        cli::render_csv(std::cout, engine, args.report);
        break;
      case cli::Format::table:
        cli::render_table(std::cout, engine.report(args.report), args.report);
        break;
    }
    std::cout.flush();
    if (!std::cout) {
      std::fprintf(stderr, "chat-kpi: cannot write to standard output\n");
      return 1;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "chat-kpi: %s\n", e.what());
    return 1;
  }
  return 0;
}
