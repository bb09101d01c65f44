// Places: the writer tells each append where its lines went (segment and offset), the replay
// gives every line's place, and read_lines_at reads lines back at those places, across
// segment rotations and a reopened writer; a place that does not exist is reported.
#include <catch2/catch.hpp>

#include "log_test_util.hpp"
#include "replay.hpp"

#include <set>

using namespace chat::eventlog;
using logtest::TempDir;
using logtest::batch_of;

namespace {
struct Placed {
  std::vector<std::string> lines;  // the batch's lines, without '\n'
  Placement at;
};

Placement append_placed_wait(Writer& w, std::vector<Line> lines, std::error_code& result) {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  Placement where;
  w.append_placed(std::move(lines), [&](std::error_code ec, Placement at) {
    std::lock_guard lk(m);
    result = ec;
    where = at;
    done = true;
    cv.notify_one();
  });
  std::unique_lock lk(m);
  cv.wait(lk, [&] { return done; });
  return where;
}

std::string strip(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}
}  // namespace

TEST_CASE("places: each append's place reads its lines back, across rotations and a reopen", "[log]") {
  TempDir dir;
  Options o{dir.path, "n1"};
  o.segment_bytes = 4096;
  std::vector<std::string> expected;
  std::vector<Placement> places;
  std::uint64_t seq = 1;
  std::set<std::uint64_t> segments;
  for (int round = 0; round < 2; ++round) {  // the second round reopens the log
    Writer w(o);
    for (int i = 0; i < 30; ++i, seq += 3) {
      auto batch = batch_of("n1", seq, 3, 100 + static_cast<std::size_t>(i) * 7);
      std::vector<std::string> lines;
      for (const auto& l : batch) lines.push_back(strip(l.json));
      std::error_code ec;
      Placement at = append_placed_wait(w, std::move(batch), ec);
      REQUIRE_FALSE(ec);
      segments.insert(at.segment);
      // The batch's lines follow one another from its place.
      for (const auto& l : lines) {
        expected.push_back(l);
        places.push_back(at);
        at.offset += l.size() + 1;
      }
    }
  }
  CHECK(segments.size() > 5);
  std::string error;
  CHECK(read_lines_at(dir.path, "n1", places, &error) == expected);
  CHECK(error.empty());

  // The replay gives every line with the same place.
  std::vector<std::string> replayed;
  std::vector<Placement> replay_places;
  replay_segments(dir.path, "n1", [&](std::string_view line, Placement at) {
    replayed.emplace_back(line);
    replay_places.push_back(at);
  });
  CHECK(replayed == expected);
  REQUIRE(replay_places.size() == places.size());
  for (std::size_t i = 0; i < places.size(); ++i) {
    CHECK(replay_places[i].segment == places[i].segment);
    CHECK(replay_places[i].offset == places[i].offset);
  }

  // A place past a segment's end, or in a segment that does not exist, yields no line and says so.
  error.clear();
  auto none = read_lines_at(dir.path, "n1", {Placement{places[0].segment, 1u << 20}, Placement{999999, 0}, places[1]}, &error);
  CHECK(none == std::vector<std::string>{expected[1]});
  CHECK(error.find("no line at offset 1048576") != std::string::npos);
}

TEST_CASE("places: a line longer than a read block comes back whole", "[log]") {
  TempDir dir;
  Writer w(Options{dir.path, "n1"});
  std::error_code ec;
  auto batch = batch_of("n1", 1, 2, 10000);
  const std::string second = strip(batch[1].json);
  Placement at = append_placed_wait(w, std::move(batch), ec);
  REQUIRE_FALSE(ec);
  at.offset += second.size() + 1;  // both lines are the same length but for their seq digits
  w.close();
  auto lines = read_lines_at(dir.path, "n1", {at});
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == second);
}
