// report.hpp — the numbers of a run: what /proc says about the server (RSS, CPU) and about the
// generator itself, the JSON report of one process, merging several processes' reports into
// one, and the human-readable summary.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "run.hpp"

namespace chat::bench {

// VmRSS of `pid` in KiB, 0 when unreadable.
std::int64_t rss_kb(int pid);
// User + system CPU seconds of `pid` so far (0: unreadable), and of this process.
double cpu_seconds(int pid);
double own_cpu_seconds();

struct Window {
    double seconds = 0;
    double server_cpu_s = 0;  // server CPU used during the window
    double own_cpu_s = 0;     // this process's CPU used during the window
    std::int64_t server_rss_kb = 0;
};

nlohmann::json make_report(const Run& run, const Window& w);
// Sums counters, merges histograms; connections add up; the server was the same one, so its
// RSS and CPU are taken from the report that saw the most. Throws on unreadable files.
nlohmann::json merge_reports(const std::vector<std::string>& files, std::int64_t server_base_rss_kb);
std::string summary_text(const nlohmann::json& report);

}  // namespace chat::bench
