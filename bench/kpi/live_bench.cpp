// kpi-live-bench — the live KPI view's two pauses as a sale day fills it: the longest single
// event added (the engine's tables growing) and the time of one report (GET /api/kpi), at
// several sizes. chatd runs both on the live KPIs' thread (server/kpi_view.hpp), never on the
// core thread; these are the times a shopper would otherwise wait.
//
//   kpi-live-bench [--conversations N] [--every K]
//
// Each conversation: opened, a visitor's question, a bot answer, resolved, a CSAT rating.
// Every K conversations it prints the conversations and events stored, the longest add since
// the last line, and one report's time.
#include "engine.hpp"
#include "report.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  long conversations = 1000000, every = 250000;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--conversations") && i + 1 < argc) conversations = std::atol(argv[++i]);
    else if (!std::strcmp(argv[i], "--every") && i + 1 < argc) every = std::atol(argv[++i]);
    else {
      std::fprintf(stderr, "usage: kpi-live-bench [--conversations N] [--every K]\n");
      return 2;
    }
  }
  chat::kpi::Engine engine(chat::kpi::Pages::normal);
  double longest_add = 0;
  std::uint64_t seq = 0;
  for (long i = 0; i < conversations; ++i) {
    const std::string c = "cn1-" + std::to_string(i), v = "v" + std::to_string(i * 7919 % 400000);
    const std::int64_t t = 1767225600000 + i * 50;  // 2026-01-01, 20 new conversations a second
    auto ts = [&](int plus) { return std::to_string(t + plus); };
    auto s = [&] { return std::to_string(++seq); };
    const std::string lines[] = {
        R"({"conv":")" + c + R"(","lang":"fr","node":"n1","page":"/suivi","seq":)" + s() + R"(,"ts":)" + ts(0) + R"(,"type":"conversation.opened","v":1,"visitor":")" + v + R"("})",
        R"({"author":"visitor","client_id":"k1","conv":")" + c + R"(","msg":")" + c + R"(.1","node":"n1","seq":)" + s() + R"(,"text":"où est mon colis ?","ts":)" + ts(0) + R"(,"type":"message","v":1})",
        R"({"author":"bot","conv":")" + c + R"(","faq":"order_tracking","msg":")" + c + R"(.2","node":"n1","outcome":"answer","score":0.91,"seq":)" + s() + R"(,"text":"Vous pouvez suivre votre colis…","ts":)" + ts(40) + R"(,"type":"message","v":1})",
        R"({"by":"bot","conv":")" + c + R"(","node":"n1","seq":)" + s() + R"(,"ts":)" + ts(9000) + R"(,"type":"conversation.resolved","v":1})",
        R"({"conv":")" + c + R"(","node":"n1","score":5,"seq":)" + s() + R"(,"ts":)" + ts(12000) + R"(,"type":"csat","v":1})",
    };
    for (const auto& l : lines) {
      const auto t0 = Clock::now();
      engine.add_line(l);
      longest_add = std::max(longest_add, std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    if ((i + 1) % every == 0 || i + 1 == conversations) {
      const auto t0 = Clock::now();
      const auto report = chat::kpi::to_json(engine.report({}));
      const double report_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      std::printf("%9ld conversations, %9zu events: longest add %7.3f ms, one report %8.1f ms (%s conversations counted, %llu invalid lines)\n",
                  i + 1, engine.events_stored(), longest_add, report_ms, report["conversations"].dump().c_str(),
                  static_cast<unsigned long long>(engine.counters().invalid));
      longest_add = 0;
    }
  }
}
