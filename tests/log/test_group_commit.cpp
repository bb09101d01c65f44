// Group commit: many concurrent appenders, each waiting for its own completion as the
// server waits before acking, share fdatasyncs; and every acknowledged line is stored.
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace logtest;
using chat::eventlog::Options;
using chat::eventlog::Writer;

TEST_CASE("group commit: concurrent appends share fdatasyncs", "[log][group]") {
  TempDir dir;
  Writer w(Options{dir.path, "n1"});
  constexpr int kThreads = 16, kPerThread = 100;
  std::mutex strand;  // stands for the server's log strand: seq order is append order
  std::uint64_t next = w.next_seq();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kPerThread; ++i) {
        std::mutex m;
        std::condition_variable cv;
        bool done = false;
        {
          std::lock_guard lk(strand);
          w.append(batch_of("n1", next++, 1), [&](std::error_code ec) {
            if (ec) ++failures;
            std::lock_guard l(m);
            done = true;
            cv.notify_one();
          });
        }
        std::unique_lock l(m);
        cv.wait(l, [&] { return done; });
      }
    });
  for (auto& t : threads) t.join();
  auto st = w.stats();
  CHECK(failures == 0);
  CHECK(st.appends == kThreads * kPerThread);
  INFO("fdatasyncs: " << st.syncs << " for " << st.appends << " appends");
  // Each append waited for its sync, so without grouping there would be one sync each.
  // (How much they share depends on scheduling; the next test pins it down exactly.)
  CHECK(st.syncs < st.appends);
  w.close();
  auto back = read_back(dir.path);
  REQUIRE(back.seqs.size() == kThreads * kPerThread);
  for (std::size_t i = 0; i < back.seqs.size(); ++i) CHECK(back.seqs[i] == i + 1);
}

TEST_CASE("group commit: appends queued during a sync share the next one", "[log][group]") {
  TempDir dir;
  Writer w(Options{dir.path, "n1"});
  // The first append's completion holds the writer thread (as a slow sync would) until all
  // the others are queued; they must then go out together, with a single fdatasync.
  std::mutex m;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> completed{0};
  w.append(batch_of("n1", 1, 1), [&](std::error_code) {
    std::unique_lock lk(m);
    cv.wait(lk, [&] { return release; });
    ++completed;
  });
  constexpr int kThreads = 10, kEach = 5;
  std::mutex strand;
  std::uint64_t next = 2;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        std::lock_guard lk(strand);
        w.append(batch_of("n1", next++, 1), [&](std::error_code ec) {
          if (!ec) ++completed;
        });
      }
    });
  for (auto& t : threads) t.join();
  {
    std::lock_guard lk(m);
    release = true;
  }
  cv.notify_all();
  CHECK_FALSE(w.flush());
  CHECK(completed == 1 + kThreads * kEach);
  auto st = w.stats();
  CHECK(st.appends == 1 + kThreads * kEach);
  CHECK(st.syncs <= 2);  // one for the first append, one for the 50 queued behind it
  w.close();
  CHECK(read_back(dir.path).seqs.size() == 1 + kThreads * kEach);
}

TEST_CASE("group commit: flush waits for everything appended before it", "[log][group]") {
  TempDir dir;
  Writer w(Options{dir.path, "n1"});
  std::atomic<int> completed{0};
  for (std::uint64_t s = 1; s <= 500; s += 5) w.append(batch_of("n1", s, 5), [&](std::error_code) { ++completed; });
  CHECK_FALSE(w.flush());
  CHECK(completed == 100);
  CHECK(w.stats().lines == 500);
  CHECK(w.stats().syncs < 100);
}
