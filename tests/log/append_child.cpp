// append_child.cpp — test helper for the durability test: appends as fast as it can from
// several threads and prints each seq on stdout once its append has completed, until killed.
//
//   eventlog-append-child DIR NODE
#include "event_log.hpp"

#include <atomic>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: eventlog-append-child DIR NODE\n");
    return 2;
  }
  std::string node = argv[2];
  chat::eventlog::Writer w(chat::eventlog::Options{argv[1], node});
  std::mutex strand;
  std::uint64_t next = w.next_seq();
  std::atomic<int> in_flight{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (;;) {
        if (in_flight.load() > 256) {
          std::this_thread::yield();
          continue;
        }
        std::lock_guard lk(strand);
        std::uint64_t first = next;
        std::size_t n = 1 + first % 4;  // batches of 1..4 lines
        std::vector<chat::eventlog::Line> batch;
        for (std::size_t i = 0; i < n; ++i, ++next)
          batch.push_back({next, "{\"v\":1,\"ts\":" + std::to_string(1709251200000 + next) + ",\"node\":\"" + node +
                                     "\",\"seq\":" + std::to_string(next) +
                                     ",\"type\":\"message\",\"conv\":\"c1\",\"author\":\"visitor\",\"text\":\"" +
                                     std::string(100 + next % 200, 'x') + "\"}\n"});
        ++in_flight;
        w.append(std::move(batch), [first, n, &in_flight](std::error_code ec) {
          if (!ec) {
            std::string out;
            for (std::size_t i = 0; i < n; ++i) out += std::to_string(first + i) + "\n";
            (void)!::write(1, out.data(), out.size());  // unbuffered: printed means completed
          }
          --in_flight;
        });
      }
    });
  for (auto& t : threads) t.join();
}
