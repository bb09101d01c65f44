// log_reader.cpp — segment discovery and the two reading modes (file after file, or merged
// by (ts, node, seq) through a heap of per-segment cursors).
#include "log_reader.hpp"

#include "event_parser.hpp"
#include "line_source.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <queue>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::kpi {

namespace fs = std::filesystem;

namespace {

std::string cannot_read(const fs::path& p, const std::string& why) { return "cannot read " + p.string() + ": " + why; }

bool is_segment_name(const fs::path& p) {
  auto name = p.filename().string();
  return name.size() > 6 && name.compare(name.size() - 6, 6, ".jsonl") == 0 && name[0] != '.';
}

struct Counter {
  ReadStats& stats;
  const ReaderOptions& options;
  void warn(const fs::path& file, std::uint64_t offset, const char* what) {
    if (stats.warnings.size() < options.max_warnings)
      stats.warnings.push_back(file.string() + ":" + std::to_string(offset) + ": " + what);
  }
  // Counts the line; true when `ev` is an event to deliver.
  bool classify(EventParser& parser, const fs::path& file, std::string_view line, bool complete,
                std::uint64_t offset, Event& ev) {
    if (line.empty() && complete) return false;
    ++stats.lines;
    if (!complete) {
      ++stats.torn;
      warn(file, offset, "torn last line (no newline), skipped");
      return false;
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    switch (parser.parse(line, ev, /*padded=*/true)) {
      case ParseStatus::ok:
        return true;
      case ParseStatus::unknown_type:
        ++stats.unknown_type;
        warn(file, offset, "unknown event type, skipped");
        return false;
      case ParseStatus::invalid:
        ++stats.invalid;
        warn(file, offset, "invalid event line, skipped");
        return false;
    }
    return false;
  }
};

struct Progress {
  const ReaderOptions& options;
  std::uint64_t total;
  std::uint64_t done_before = 0;  // bytes of finished files
  std::uint64_t next_report = 0;
  void tick(std::uint64_t current) {
    if (!options.progress) return;
    std::uint64_t done = done_before + current;
    if (done >= next_report) {
      options.progress(done, total);
      next_report = done + (64u << 20);
    }
  }
};

std::uint64_t total_size(const std::vector<fs::path>& files) {
  std::uint64_t n = 0;
  for (const auto& f : files) {
    std::error_code ec;
    auto s = fs::file_size(f, ec);
    if (!ec) n += s;
  }
  return n;
}

}  // namespace

std::vector<fs::path> list_segments(const std::vector<fs::path>& inputs) {
  std::vector<fs::path> out;
  for (const auto& in : inputs) {
    struct stat st;
    if (::stat(in.c_str(), &st) != 0) throw ReadError(cannot_read(in, std::strerror(errno)));
    if (S_ISDIR(st.st_mode)) {
      if (::access(in.c_str(), R_OK | X_OK) != 0) throw ReadError(cannot_read(in, std::strerror(errno)));
      std::error_code ec;
      fs::recursive_directory_iterator it(in, ec), end;
      if (ec) throw ReadError(cannot_read(in, ec.message()));
      for (; it != end; it.increment(ec)) {
        if (ec) throw ReadError(cannot_read(in, ec.message()));
        if (it->is_regular_file(ec) && is_segment_name(it->path())) out.push_back(it->path());
      }
    } else if (S_ISREG(st.st_mode)) {
      if (::access(in.c_str(), R_OK) != 0) throw ReadError(cannot_read(in, std::strerror(errno)));
      out.push_back(in);
    } else {
      throw ReadError(cannot_read(in, "not a file or directory"));
    }
  }
  // The same file named twice (a directory and one of its files) is read once.
  std::set<fs::path> seen;
  std::vector<fs::path> unique;
  for (auto& p : out) {
    std::error_code ec;
    fs::path key = fs::weakly_canonical(p, ec);
    if (ec) key = p;
    if (seen.insert(key).second) unique.push_back(std::move(p));
  }
  std::sort(unique.begin(), unique.end());
  return unique;
}

ReadStats read_log(const std::vector<fs::path>& inputs, const EventCallback& callback, const ReaderOptions& options) {
  ReadStats stats;
  Counter counter{stats, options};
  std::vector<fs::path> files = list_segments(inputs);
  Progress progress{options, total_size(files)};
  stats.files = files.size();

  if (!options.ordered) {
    EventParser parser;
    Event ev;
    for (const auto& file : files) {
      LineSource src(file, 8u << 20);
      std::string_view line;
      bool complete;
      std::uint64_t offset;
      std::uint64_t n = 0;
      while (src.next(line, complete, offset)) {
        if (counter.classify(parser, file, line, complete, offset, ev)) {
          ++stats.events;
          callback(ev, line);
        }
        if ((++n & 0x3FFF) == 0) progress.tick(src.bytes_read());
      }
      stats.bytes += src.bytes_read();
      progress.done_before += src.bytes_read();
      progress.tick(0);
    }
    return stats;
  }

  // Ordered: one cursor per segment, the smallest (ts, node, seq) first.
  struct Cursor {
    std::unique_ptr<LineSource> src;
    EventParser parser;
    Event ev;
    std::string_view line;
    bool advance(Counter& c) {
      bool complete;
      std::uint64_t offset;
      while (src->next(line, complete, offset))
        if (c.classify(parser, src->path(), line, complete, offset, ev)) return true;
      return false;
    }
  };
  std::vector<std::unique_ptr<Cursor>> cursors;
  for (const auto& file : files) {
    auto c = std::make_unique<Cursor>();
    c->src = std::make_unique<LineSource>(file, 256u << 10);
    cursors.push_back(std::move(c));
  }
  auto later = [](const Cursor* a, const Cursor* b) { return order_before(b->ev, a->ev); };
  std::priority_queue<Cursor*, std::vector<Cursor*>, decltype(later)> heap(later);
  for (auto& c : cursors) {
    if (c->advance(counter)) heap.push(c.get());
    else stats.bytes += c->src->bytes_read();
  }
  std::uint64_t n = 0;
  while (!heap.empty()) {
    Cursor* c = heap.top();
    heap.pop();
    ++stats.events;
    callback(c->ev, c->line);
    if (c->advance(counter)) heap.push(c);
    else stats.bytes += c->src->bytes_read(), progress.done_before += c->src->bytes_read();
    if ((++n & 0x3FFF) == 0) progress.tick(0);
  }
  return stats;
}

}  // namespace chat::kpi
