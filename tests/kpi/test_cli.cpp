// chat-kpi as operators run it: exit codes, one-line errors, --json, --csv, --to inclusive.
#include "log_builder.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <sys/wait.h>

using namespace kpitest;

namespace {
struct Run {
  int status;
  std::string out, err;
};
Run chat_kpi(const TempDir& dir, const std::string& args) {
  auto out = dir.path / "stdout", err = dir.path / "stderr";
  std::string cmd = std::string(CHAT_KPI_BIN) + " " + args + " >" + out.string() + " 2>" + err.string();
  int rc = std::system(cmd.c_str());
  auto slurp = [](const std::filesystem::path& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  };
  return Run{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, slurp(out), slurp(err)};
}
std::size_t lines_of(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }
}  // namespace

TEST_CASE("chat-kpi: --json prints the engine's report", "[cli]") {
  TempDir dir;
  Log log;
  log.opened(kT0, "c1", "v1").visitor(kT0 + 1000, "c1").bot(kT0 + 1850, "c1").resolved(kT0 + kMin, "c1", "bot");
  log.opened(kT0 + kDay, "c2", "v2").visitor(kT0 + kDay, "c2").handoff(kT0 + kDay + 1, "c2");
  std::string content;
  for (auto& l : log.lines) content += l + "\n";
  dir.write("data/events-n1-1.jsonl", content);

  auto r = chat_kpi(dir, "--json " + (dir.path / "data").string());
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j == chat::kpi::to_json(report_of(log)));
  CHECK(j["conversations"] == 2);
  CHECK(j["first_response_ms"]["p50"] == 850);

  // --to a day includes that whole day; --from/--to with full timestamps.
  auto day = chat_kpi(dir, "--json --to 2024-03-01 " + (dir.path / "data").string());
  REQUIRE(day.status == 0);
  CHECK(nlohmann::json::parse(day.out)["conversations"] == 1);
  auto ts = chat_kpi(dir, "--json --from=2024-03-02T00:00:00Z --to 2024-03-02T00:00:00.000Z " + (dir.path / "data").string());
  REQUIRE(ts.status == 0);
  CHECK(nlohmann::json::parse(ts.out)["conversations"] == 1);

  auto table = chat_kpi(dir, (dir.path / "data").string());
  REQUIRE(table.status == 0);
  CHECK(table.out.find("850 ms") != std::string::npos);

  auto csv = chat_kpi(dir, "--csv " + (dir.path / "data" / "events-n1-1.jsonl").string());
  REQUIRE(csv.status == 0);
  REQUIRE(lines_of(csv.out) == 3);
  CHECK(csv.out.rfind("conversation,visitor,opened,first_response_ms,", 0) == 0);
  CHECK(csv.out.find("c1,v1,2024-03-01T00:00:00.000Z,850,,,60000,bot,yes,") != std::string::npos);
}

TEST_CASE("chat-kpi: usage errors exit 2 with one line naming the flag or value", "[cli]") {
  TempDir dir;
  dir.write("events-n1-1.jsonl", "");
  std::string p = (dir.path / "events-n1-1.jsonl").string();
  auto bad_date = chat_kpi(dir, "--from 2024-02-30 " + p);
  CHECK(bad_date.status == 2);
  CHECK(lines_of(bad_date.err) == 1);
  CHECK(bad_date.err.find("--from") != std::string::npos);
  CHECK(bad_date.err.find("2024-02-30") != std::string::npos);
  auto bad_dur = chat_kpi(dir, "--sla 60 " + p);
  CHECK(bad_dur.status == 2);
  CHECK(bad_dur.err.find("--sla") != std::string::npos);
  auto unknown = chat_kpi(dir, "--frobnicate " + p);
  CHECK(unknown.status == 2);
  CHECK(unknown.err.find("--frobnicate") != std::string::npos);
  CHECK(chat_kpi(dir, "--json --csv " + p).status == 2);
  CHECK(chat_kpi(dir, "--json").status == 2);
  auto help = chat_kpi(dir, "--help");
  CHECK(help.status == 0);
  CHECK(help.out.find("usage: chat-kpi") != std::string::npos);
}

TEST_CASE("chat-kpi: runtime failures exit 1 naming what and where", "[cli]") {
  TempDir dir;
  auto missing = dir.path / "no-such-dir";
  auto r = chat_kpi(dir, missing.string());
  CHECK(r.status == 1);
  CHECK(lines_of(r.err) == 1);
  CHECK(r.err.find(missing.string()) != std::string::npos);
  if (::geteuid() != 0) {  // root reads anything
    auto f = dir.write("events-n1-1.jsonl", "{}\n");
    std::filesystem::permissions(f, std::filesystem::perms::none);
    auto u = chat_kpi(dir, f.string());
    CHECK(u.status == 1);
    CHECK(u.err.find(f.string()) != std::string::npos);
  }
}
