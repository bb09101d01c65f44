// The log reader: directories and files of several nodes, merge order, skipped lines, raw
// lines; and batch (files through the reader) against live (line by line) giving one report.
#include "log_builder.hpp"
#include "log_reader.hpp"
#include "loggen.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace kpitest;
using namespace chat::kpi;

namespace {
std::string join(const std::vector<std::string>& lines, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to; ++i) s += lines[i] + "\n";
  return s;
}
}  // namespace

TEST_CASE("reader: merges several nodes' segments by (ts, node, seq)", "[reader]") {
  TempDir dir;
  Log a, b;
  a.on("n1").opened(kT0, "c1", "v1").visitor(kT0 + 10, "c1").bot(kT0 + 30, "c1").resolved(kT0 + 50, "c1");
  b.on("n2").opened(kT0 + 5, "c2", "v2").visitor(kT0 + 10, "c2").bot(kT0 + 40, "c2");
  dir.write("node1/events-n1-1.jsonl", join(a.lines, 0, 2));
  dir.write("node1/events-n1-3.jsonl", join(a.lines, 2, 4));
  dir.write("node2/events-n2-1.jsonl", join(b.lines, 0, 3));
  dir.write("node1/events-n1-3.jsonl.torn-17", "garbage that is not read");
  dir.write("node1/README.txt", "not a segment");

  std::vector<std::pair<std::int64_t, std::string>> seen;
  std::vector<std::string> raw;
  auto stats = read_log({dir.path / "node1", dir.path / "node2"}, [&](const Event& e, std::string_view line) {
    seen.emplace_back(e.ts - kT0, std::string(e.node));
    raw.emplace_back(line);
  });
  CHECK(stats.files == 3);
  CHECK(stats.events == 7);
  CHECK(stats.torn + stats.invalid + stats.unknown_type == 0);
  std::vector<std::pair<std::int64_t, std::string>> want{{0, "n1"},  {5, "n2"},  {10, "n1"}, {10, "n2"},
                                                          {30, "n1"}, {40, "n2"}, {50, "n1"}};
  CHECK(seen == want);
  CHECK(raw[0] == a.lines[0]);
  CHECK(raw[1] == b.lines[0]);
}

TEST_CASE("reader: torn last line, invalid lines and unknown types are skipped and counted", "[reader]") {
  TempDir dir;
  Log log;
  log.opened(kT0, "c1", "v1").visitor(kT0 + 10, "c1").ev(kT0 + 20, "conversation.snoozed", "c1").bot(kT0 + 30, "c1");
  std::string content = join(log.lines, 0, 2) + "{broken\n" + join(log.lines, 2, 4) +
                        R"({"v":1,"ts":1709251200040,"node":"n1","seq":9,"type":"csat","conv":"c1","sco)";
  auto file = dir.write("events-n1-1.jsonl", content);
  for (bool ordered : {true, false}) {
    ReaderOptions o;
    o.ordered = ordered;
    std::uint64_t delivered = 0;
    auto stats = read_log({file}, [&](const Event&, std::string_view) { ++delivered; }, o);
    CHECK(delivered == 3);
    CHECK(stats.torn == 1);
    CHECK(stats.invalid == 1);
    CHECK(stats.unknown_type == 1);
    CHECK(stats.lines == 6);
    REQUIRE(stats.warnings.size() == 3);
    CHECK(stats.warnings.back().find("torn") != std::string::npos);
  }
}

TEST_CASE("reader: a missing path or an unreadable file is an error naming it", "[reader]") {
  TempDir dir;
  auto missing = dir.path / "nope";
  try {
    read_log({missing}, [](const Event&, std::string_view) {});
    FAIL("no error");
  } catch (const ReadError& e) {
    CHECK(std::string(e.what()).find(missing.string()) != std::string::npos);
  }
  // The same file through its directory and by name is read once.
  Log log;
  log.opened(kT0, "c1", "v1");
  auto f = dir.write("d/events-n1-1.jsonl", join(log.lines, 0, 1));
  CHECK(list_segments({dir.path / "d", f}).size() == 1);
}

TEST_CASE("batch and live give the same report on a generated multi-node log", "[reader][live]") {
  TempDir dir;
  chat::loggen::Options go;
  go.target_bytes = 3u << 20;
  go.nodes = 3;
  go.seed = 11;
  // Segments per node as the writer lays them out, and the append order of all lines.
  std::vector<std::string> appended;
  std::map<std::string, std::string> segments;
  std::map<std::string, std::uint64_t> count;
  chat::loggen::generate(go, [&](int, std::string_view node, std::string_view line) {
    appended.emplace_back(line);
    std::string n(node);
    std::uint64_t k = count[n]++;
    std::string name = "events-" + n + "-" + std::to_string(k / 2000 * 2000 + 1) + ".jsonl";
    segments[n + "/" + name] += std::string(line) + "\n";
  });
  for (auto& [name, content] : segments) dir.write(name, content);
  REQUIRE(segments.size() > 3);

  chat::kpi::ReportOptions opts;
  opts.from_ms = kT0 + 3 * kHour;
  opts.sla_target_ms = 90 * kSec;

  chat::kpi::Engine live;
  for (const auto& l : appended) live.add_line(l + "\n");
  auto live_json = to_json(live.report(opts));

  for (bool ordered : {true, false}) {
    chat::kpi::Engine batch;
    ReaderOptions ro;
    ro.ordered = ordered;
    auto stats = read_log({dir.path}, [&](const Event& e, std::string_view) { batch.add(e); }, ro);
    CHECK(stats.events == appended.size());
    CHECK(to_json(batch.report(opts)) == live_json);
  }
  // The generated log exercises every part of the report.
  CHECK(live_json["conversations"].get<int>() > 100);
  CHECK(live_json["agent_first_response_ms"]["count"].get<int>() > 0);
  CHECK(live_json["unanswered"].size() > 0);
  CHECK(live_json["tags"].size() > 0);
  CHECK(!live_json["fcr_rate"].is_null());
  CHECK(!live_json["conversion_rate"]["agent_resolved"].is_null());
  // Reports are repeatable on the same engine (the live server asks again and again).
  CHECK(to_json(live.report(opts)) == live_json);
}
