// The writer's basic contract: lines stored in order and complete, seq continuing across
// reopen and rotation, bad batches rejected whole, appends after close refused.
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

using namespace logtest;
using chat::eventlog::Options;
using chat::eventlog::Writer;

TEST_CASE("writer: appends are stored and read back in order", "[log]") {
  TempDir dir;
  {
    Writer w(Options{dir.path, "n1"});
    CHECK(w.next_seq() == 1);
    CHECK(w.recovery().segment.empty());
    CHECK_FALSE(append_wait(w, batch_of("n1", 1, 3)));
    // A line without its '\n' gets one, without copying the line.
    std::vector<chat::eventlog::Line> no_nl{{4, event_json("n1", 4)}};
    no_nl[0].json.pop_back();
    CHECK_FALSE(append_wait(w, std::move(no_nl)));
    CHECK_FALSE(w.flush());
    auto st = w.stats();
    CHECK(st.appends == 2);
    CHECK(st.lines == 4);
  }
  CHECK(std::filesystem::exists(dir.path / "events-n1-1.jsonl"));
  auto back = read_back(dir.path);
  CHECK(back.seqs == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(back.stats.invalid + back.stats.torn == 0);
}

TEST_CASE("writer: reopening continues the seq numbering", "[log]") {
  TempDir dir;
  {
    Writer w(Options{dir.path, "n1"});
    CHECK_FALSE(append_wait(w, batch_of("n1", 1, 5)));
  }
  Writer w(Options{dir.path, "n1"});
  CHECK(w.next_seq() == 6);
  CHECK(w.recovery().last_seq == 5);
  CHECK(w.recovery().torn_bytes == 0);
  CHECK_FALSE(append_wait(w, batch_of("n1", 6, 2)));
  // Reusing a seq is refused, and nothing of that batch is written.
  CHECK(append_wait(w, batch_of("n1", 7, 2)) == std::errc::invalid_argument);
  CHECK_FALSE(append_wait(w, batch_of("n1", 9, 1)));
  w.close();
  CHECK(read_back(dir.path).seqs == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 6, 7, 9});
}

TEST_CASE("writer: segments rotate by size, named by their first seq", "[log]") {
  TempDir dir;
  Options o{dir.path, "n1"};
  o.segment_bytes = 4096;
  std::uint64_t seq = 1;
  {
    Writer w(o);
    for (int i = 0; i < 40; ++i, seq += 2) CHECK_FALSE(append_wait(w, batch_of("n1", seq, 2, 200)));
    CHECK(w.stats().rotations > 5);
  }
  auto segs = chat::kpi::list_segments({dir.path});
  REQUIRE(segs.size() > 5);
  // Every segment holds whole batches, stays under the limit, and its name is its first seq.
  std::uint64_t total = 0;
  for (const auto& p : segs) {
    std::string content = slurp(p);
    CHECK(content.size() <= 4096);
    auto first_seq = std::stoull(p.filename().string().substr(std::string("events-n1-").size()));
    auto back = read_back(p);
    REQUIRE_FALSE(back.seqs.empty());
    CHECK(back.seqs.front() == first_seq);
    total += back.seqs.size();
  }
  CHECK(total == 80);
  // Reopen continues in the newest segment with the next seq.
  Writer w(o);
  CHECK(w.next_seq() == 81);
  CHECK_FALSE(append_wait(w, batch_of("n1", 81, 1)));
  w.close();
  auto back = read_back(dir.path);
  REQUIRE(back.seqs.size() == 81);
  for (std::size_t i = 0; i < back.seqs.size(); ++i) CHECK(back.seqs[i] == i + 1);
}

TEST_CASE("writer: a line with an inner newline rejects the whole batch", "[log]") {
  TempDir dir;
  Writer w(Options{dir.path, "n1"});
  auto b = batch_of("n1", 1, 3);
  b[1].json = "{\"a\":\n1}\n";
  CHECK(append_wait(w, std::move(b)) == std::errc::invalid_argument);
  CHECK_FALSE(append_wait(w, batch_of("n1", 4, 1)));
  w.close();
  CHECK(read_back(dir.path).seqs == std::vector<std::uint64_t>{4});
  CHECK(w.stats().failed_appends == 1);
}

TEST_CASE("writer: after close, appends fail at once, then a second writer is kept out", "[log]") {
  TempDir dir;
  Writer w(Options{dir.path, "n1"});
  CHECK_THROWS_AS(Writer(Options{dir.path, "n1"}), std::system_error);
  Writer other_node(Options{dir.path, "n2"});  // another node may share the directory
  w.close();
  std::error_code got;
  w.append(batch_of("n1", 1, 1), [&](std::error_code ec) { got = ec; });
  CHECK(got == std::errc::bad_file_descriptor);
  Writer again(Options{dir.path, "n1"});  // the lock was released
  CHECK(again.next_seq() == 1);
}

TEST_CASE("writer: relaxed mode completes when written and syncs on a timer", "[log]") {
  TempDir dir;
  Options o{dir.path, "n1"};
  o.relaxed_sync_interval = std::chrono::milliseconds(50);
  Writer w(o);
  for (std::uint64_t s = 1; s <= 200; ++s) CHECK_FALSE(append_wait(w, batch_of("n1", s, 1)));
  CHECK_FALSE(w.flush());
  auto st = w.stats();
  CHECK(st.appends == 200);
  CHECK(st.syncs >= 1);
  CHECK(st.syncs < 50);  // not one per append
  w.close();
  CHECK(read_back(dir.path).seqs.size() == 200);
}

TEST_CASE("writer: a commit window gathers the appends that follow a sync into one", "[log]") {
  TempDir dir;
  Options o{dir.path, "n1"};
  o.commit_window = std::chrono::milliseconds(1000);
  Writer w(o);
  const auto t0 = std::chrono::steady_clock::now();
  // After a quiet spell the append is synced at once, not held for a window.
  CHECK_FALSE(append_wait(w, batch_of("n1", 1, 1)));
  CHECK(w.stats().syncs == 1);
  // Ten appends right after that sync: held until the window since it ended, then one sync.
  std::mutex m;
  std::condition_variable cv;
  int done = 0, failed = 0;
  for (std::uint64_t s = 2; s <= 11; ++s)
    w.append(batch_of("n1", s, 1), [&](std::error_code ec) {
      std::lock_guard lk(m);
      ++done;
      failed += ec ? 1 : 0;
      cv.notify_all();
    });
  {
    std::unique_lock lk(m);
    cv.wait(lk, [&] { return done == 10; });
  }
  CHECK(failed == 0);
  CHECK(std::chrono::steady_clock::now() - t0 >= o.commit_window);
  CHECK(w.stats().syncs == 2);
  w.close();
  CHECK(read_back(dir.path).seqs.size() == 11);
}

TEST_CASE("writer: every fdatasync is reported with how long it took", "[log]") {
  TempDir dir;
  Options o{dir.path, "n1"};
  std::mutex m;
  std::vector<std::chrono::nanoseconds> took;  // written on the writer thread
  o.on_sync = [&](std::chrono::nanoseconds d) {
    std::lock_guard lk(m);
    took.push_back(d);
  };
  Writer w(o);
  const auto t0 = std::chrono::steady_clock::now();
  for (std::uint64_t s = 1; s <= 5; s += 2) CHECK_FALSE(append_wait(w, batch_of("n1", s, 2)));
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  std::lock_guard lk(m);
  CHECK(took.size() == w.stats().syncs);
  CHECK(took.size() >= 3);  // strict mode, one append after another: a sync each
  std::chrono::nanoseconds sum{0};
  for (auto d : took) {
    CHECK(d.count() > 0);
    sum += d;
  }
  CHECK(sum <= elapsed);  // the syncs' own time, within the appends' time
}
