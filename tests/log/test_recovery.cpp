// Recovery at open: a torn tail is cut (and kept aside), the seq continues, the log reads
// back cleanly.
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

using namespace logtest;
using chat::eventlog::Options;
using chat::eventlog::Writer;

namespace {
void append_raw(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::app) << bytes;
}
}  // namespace

TEST_CASE("recovery: a torn last line is cut and kept in a side file", "[log][recovery]") {
  TempDir dir;
  {
    Writer w(Options{dir.path, "n1"});
    CHECK_FALSE(append_wait(w, batch_of("n1", 1, 3)));
  }
  auto seg = dir.path / "events-n1-1.jsonl";
  auto good_size = std::filesystem::file_size(seg);
  std::string torn = event_json("n1", 4).substr(0, 40);  // a crash in the middle of a write
  append_raw(seg, torn);

  auto before = read_back(dir.path);
  CHECK(before.stats.torn == 1);  // readers skip it meanwhile

  Writer w(Options{dir.path, "n1"});
  const auto& rec = w.recovery();
  CHECK(rec.torn_bytes == torn.size());
  CHECK(rec.torn_offset == good_size);
  CHECK(rec.last_seq == 3);
  CHECK(w.next_seq() == 4);
  CHECK(std::filesystem::file_size(seg) == good_size);
  REQUIRE_FALSE(rec.torn_copy.empty());
  CHECK(rec.torn_copy.filename().string() == "events-n1-1.jsonl.torn-" + std::to_string(good_size));
  CHECK(slurp(rec.torn_copy) == torn);
  CHECK(rec.describe().find("torn") != std::string::npos);

  CHECK_FALSE(append_wait(w, batch_of("n1", 4, 2)));
  w.close();
  auto after = read_back(dir.path);  // the side file is not a segment
  CHECK(after.seqs == std::vector<std::uint64_t>{1, 2, 3, 4, 5});
  CHECK(after.stats.torn + after.stats.invalid == 0);
}

TEST_CASE("recovery: a complete but unparseable last line is cut too", "[log][recovery]") {
  TempDir dir;
  {
    Writer w(Options{dir.path, "n1"});
    CHECK_FALSE(append_wait(w, batch_of("n1", 1, 2)));
  }
  auto seg = dir.path / "events-n1-1.jsonl";
  append_raw(seg, std::string(30, '\0') + "\n");  // e.g. a block of zeros after a crash
  Writer w(Options{dir.path, "n1"});
  CHECK(w.recovery().torn_bytes == 31);
  CHECK(w.next_seq() == 3);
  w.close();
  CHECK(read_back(dir.path).stats.invalid == 0);
}

TEST_CASE("recovery: an empty newest segment takes its seq from the one before", "[log][recovery]") {
  TempDir dir;
  {
    Writer w(Options{dir.path, "n1"});
    CHECK_FALSE(append_wait(w, batch_of("n1", 1, 10)));
  }
  // Rotation created the next segment, then the machine stopped before its first line.
  std::ofstream(dir.path / "events-n1-11.jsonl").close();
  Writer w(Options{dir.path, "n1"});
  CHECK(w.recovery().segments == 2);
  CHECK(w.recovery().last_seq == 10);
  CHECK(w.next_seq() == 11);
  CHECK_FALSE(append_wait(w, batch_of("n1", 11, 1)));
  w.close();
  CHECK(slurp(dir.path / "events-n1-11.jsonl") == event_json("n1", 11));
}

TEST_CASE("recovery: other nodes' segments in the same directory are left alone", "[log][recovery]") {
  TempDir dir;
  std::ofstream(dir.path / "events-n2-1.jsonl") << event_json("n2", 1) << "{\"torn";
  Writer w(Options{dir.path, "n1"});
  CHECK(w.next_seq() == 1);
  CHECK(w.recovery().segment.empty());
  CHECK(slurp(dir.path / "events-n2-1.jsonl").size() == event_json("n2", 1).size() + 6);
}
