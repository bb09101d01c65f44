// eventlog_bench.cpp — eventlog-bench: append throughput and latency of the event log writer
// with N concurrent appenders, each waiting for its append to complete before the next (as a
// visitor waits for the ack), and how many fdatasyncs group commit needed for them.
//
//   eventlog-bench [--dir DIR] [--threads 1,8,64] [--seconds 3] [--bytes 300] [--relaxed-ms 0]
#include "event_log.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono;

namespace {

struct Waiter {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::error_code ec;
};

void run(const std::filesystem::path& dir, int threads, double seconds, std::size_t bytes, int relaxed_ms) {
  std::filesystem::remove_all(dir);
  chat::eventlog::Options o;
  o.dir = dir;
  o.node = "bench";
  o.relaxed_sync_interval = milliseconds(relaxed_ms);
  chat::eventlog::Writer w(o);
  std::mutex seq_m;  // stands for the server's log strand: seq order = append order
  std::uint64_t next = w.next_seq();
  std::atomic<bool> stop{false};
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(threads));
  std::vector<std::thread> ts;
  std::string pad(bytes > 120 ? bytes - 120 : 0, 'x');
  auto t0 = steady_clock::now();
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      Waiter wt;
      while (!stop.load(std::memory_order_relaxed)) {
        auto start = steady_clock::now();
        {
          std::lock_guard lk(seq_m);
          std::uint64_t seq = next++;
          std::vector<chat::eventlog::Line> batch(1);
          batch[0].seq = seq;
          batch[0].json = "{\"v\":1,\"ts\":1709251200000,\"node\":\"bench\",\"seq\":" + std::to_string(seq) +
                          ",\"type\":\"message\",\"conv\":\"c" + std::to_string(t) + "\",\"text\":\"" + pad + "\"}\n";
          wt.done = false;
          w.append(std::move(batch), [&wt](std::error_code ec) {
            std::lock_guard l(wt.m);
            wt.ec = ec;
            wt.done = true;
            wt.cv.notify_one();
          });
        }
        std::unique_lock l(wt.m);
        wt.cv.wait(l, [&] { return wt.done; });
        lat[static_cast<std::size_t>(t)].push_back(duration<double, std::micro>(steady_clock::now() - start).count());
      }
    });
  }
  std::this_thread::sleep_for(duration<double>(seconds));
  stop = true;
  for (auto& th : ts) th.join();
  w.flush();
  double secs = duration<double>(steady_clock::now() - t0).count();
  auto st = w.stats();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) { return all.empty() ? 0.0 : all[std::min(all.size() - 1, std::size_t(p * all.size()))]; };
  std::printf("threads=%-4d appends=%-8llu appends/s=%-9.0f fdatasyncs=%-7llu appends/sync=%-6.1f "
              "latency_us p50=%.0f p99=%.0f max=%.0f%s\n",
              threads, (unsigned long long)st.appends, double(st.appends) / secs, (unsigned long long)st.syncs,
              st.syncs ? double(st.appends) / double(st.syncs) : 0.0, pct(0.5), pct(0.99), all.empty() ? 0 : all.back(),
              relaxed_ms ? " (relaxed)" : "");
  std::fflush(stdout);
  w.close();
  std::filesystem::remove_all(dir);
}

}  // namespace

int main(int argc, char** argv) {
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "chat-eventlog-bench";
  std::vector<int> threads{1, 8, 64};
  double seconds = 3;
  std::size_t bytes = 300;
  int relaxed = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--dir") dir = v;
    else if (a == "--seconds") seconds = std::atof(v.c_str());
    else if (a == "--bytes") bytes = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--relaxed-ms") relaxed = std::atoi(v.c_str());
    else if (a == "--threads") {
      threads.clear();
      std::stringstream ss(v);
      std::string x;
      while (std::getline(ss, x, ',')) threads.push_back(std::atoi(x.c_str()));
    } else {
      std::fprintf(stderr, "eventlog-bench: unknown flag %s\n", a.c_str());
      return 2;
    }
  }
  std::printf("event log appends in %s, %zu-byte lines, %.0f s per run\n", dir.c_str(), bytes, seconds);
  for (int t : threads) run(dir, t, seconds, bytes, relaxed);
  return 0;
}
