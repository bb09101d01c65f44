// fuzz_log_line.cpp — the event log reader and KPI engine on hostile input: each input is
// a few lines (split on '\n') fed to kpi::Engine::add_line, then a report is built. Torn,
// invalid, unknown and contradictory events must be counted or skipped, never crash.
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine.hpp"
#include "report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    chat::kpi::Engine engine;
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        engine.add_line(rest.substr(0, nl));
        if (nl == std::string_view::npos) break;
        rest.remove_prefix(nl + 1);
    }
    chat::kpi::ReportOptions options;
    (void)chat::kpi::to_json(engine.report(options));
    return 0;
}
