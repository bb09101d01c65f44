// cli.hpp — (chat-kpi only) command-line parsing and the two human/spreadsheet renderings.
// The JSON rendering is to_json() of report.hpp, shared with the server.
#pragma once

#include "engine.hpp"
#include "report.hpp"

#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

namespace chat::kpi::cli {

enum class Format { table, json, csv };

struct Args {
  Format format = Format::table;
  ReportOptions report;
  std::vector<std::filesystem::path> paths;
  bool help = false;
};

// Throws UsageError with the one line to print (naming the flag or value at fault).
struct UsageError {
  std::string message;
};
Args parse_args(int argc, char** argv);
extern const char* const kUsage;

void render_table(std::ostream& out, const Report& report, const ReportOptions& options);
void render_csv(std::ostream& out, Engine& engine, const ReportOptions& options);

}  // namespace chat::kpi::cli
