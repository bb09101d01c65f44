// log_test_util.hpp — helpers for the event log tests: a temp directory, event lines as the
// server writes them, waiting for completions, and reading a data directory back.
#pragma once

#include "event_log.hpp"
#include "log_reader.hpp"

#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace logtest {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chat-log-test-XXXXXX").string();
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

inline std::string event_json(const std::string& node, std::uint64_t seq, std::size_t pad = 0) {
  return "{\"v\":1,\"ts\":" + std::to_string(1709251200000 + seq) + ",\"node\":\"" + node + "\",\"seq\":" +
         std::to_string(seq) + ",\"type\":\"message\",\"conv\":\"c1\",\"author\":\"visitor\",\"text\":\"" +
         std::string(pad, 'x') + "\"}\n";
}

inline std::vector<chat::eventlog::Line> batch_of(const std::string& node, std::uint64_t first, std::size_t n,
                                                  std::size_t pad = 0) {
  std::vector<chat::eventlog::Line> b;
  for (std::size_t i = 0; i < n; ++i) b.push_back({first + i, event_json(node, first + i, pad)});
  return b;
}

// Appends and waits for the completion.
inline std::error_code append_wait(chat::eventlog::Writer& w, std::vector<chat::eventlog::Line> lines) {
  std::mutex m;
  std::condition_variable cv;
  bool done = false;
  std::error_code result;
  w.append(std::move(lines), [&](std::error_code ec) {
    std::lock_guard lk(m);
    result = ec;
    done = true;
    cv.notify_one();
  });
  std::unique_lock lk(m);
  cv.wait(lk, [&] { return done; });
  return result;
}

struct ReadBack {
  std::vector<std::uint64_t> seqs;
  chat::kpi::ReadStats stats;
};
inline ReadBack read_back(const std::filesystem::path& dir) {
  ReadBack r;
  r.stats = chat::kpi::read_log({dir}, [&](const chat::kpi::Event& e, std::string_view) { r.seqs.push_back(e.seq); });
  return r;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace logtest
