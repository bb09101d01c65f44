// writer.cpp — the writer thread: group commit, writev, rotation, error rollback.
//
// One loop: take every queued batch (a group), write them with writev into the current
// segment, fdatasync once, complete them all. Appends that arrive during the fdatasync queue
// up and form the next group, so under load one sync serves many appends without any timer.
// On a write or sync error the segment is cut back to the size it had before the group, so a
// failed append leaves no partial line behind and the next group starts on a clean line.
#include "event_log.hpp"

#include "recovery.hpp"
#include "segment_files.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <mutex>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <pthread.h>
#include <thread>
#include <unistd.h>

namespace chat::eventlog {

using namespace detail;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {
const char kNewline[] = "\n";
constexpr int kIovMax = IOV_MAX < 1024 ? IOV_MAX : 1024;

struct Batch {
  std::vector<Line> lines;
  PlacedCompletion done;
  Placement placed;
  std::uint64_t ticket = 0;
  std::uint64_t bytes = 0;
  std::error_code result;
};
}  // namespace

struct Writer::Impl {
  Options opt;
  Recovery rec;
  int lock_fd = -1;

  // Writer-thread state.
  int fd = -1;
  fs::path segment;
  std::uint64_t size = 0;          // bytes in the current segment
  std::uint64_t first_seq = 0;     // the first seq of its name
  std::uint64_t durable_size = 0;  // of which fdatasync'ed
  bool segment_broken = false;     // a rollback failed: start a new segment
  std::uint64_t last_seq = 0;      // highest seq accepted so far
  bool dirty = false;              // relaxed mode: written, not yet synced
  Clock::time_point sync_due{};
  Clock::time_point last_sync{};   // when the latest fdatasync started (strict mode's window)
  std::uint64_t written_ticket = 0;

  // Shared with callers, under `m`.
  mutable std::mutex m;
  std::condition_variable work_cv, done_cv;
  std::deque<Batch> queue;
  std::uint64_t next_ticket = 1;
  std::uint64_t durable_ticket = 0;  // every batch up to it is durable or failed
  bool sync_requested = false;
  bool stopping = false;
  bool closed = false;
  std::error_code first_error;  // since the last flush()
  Stats stats;
  std::thread thread;

  bool relaxed() const { return opt.relaxed_sync_interval.count() > 0; }

  void note_error(std::error_code ec) {
    std::lock_guard lk(m);
    if (!first_error) first_error = ec;
  }

  // --- segment files ---------------------------------------------------------------------
  std::error_code open_segment(const fs::path& p) {
    int nfd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (nfd < 0) return errno_code();
    struct stat st;
    if (::fstat(nfd, &st) != 0) {
      auto ec = errno_code();
      ::close(nfd);
      return ec;
    }
    if (auto ec = fsync_dir(opt.dir)) {  // the new name must survive a crash too
      ::close(nfd);
      return ec;
    }
    if (fd >= 0) ::close(fd);
    fd = nfd;
    segment = p;
    first_seq = first_seq_of(p);
    size = durable_size = static_cast<std::uint64_t>(st.st_size);
    segment_broken = false;
    return {};
  }

  std::error_code sync() {
    last_sync = Clock::now();
    int r;
    do r = ::fdatasync(fd);
    while (r != 0 && errno == EINTR);
    if (opt.on_sync) opt.on_sync(Clock::now() - last_sync);
    {
      std::lock_guard lk(m);
      ++stats.syncs;
    }
    if (r != 0) return errno_code();
    durable_size = size;
    dirty = false;
    return {};
  }

  // Cuts the segment back to `to` bytes after a failed write/sync.
  void rollback(std::uint64_t to) {
    if (::ftruncate(fd, static_cast<off_t>(to)) == 0 && ::fdatasync(fd) == 0) {
      size = to;
      if (durable_size > to) durable_size = to;
    } else {
      segment_broken = true;  // cannot vouch for this file's tail: continue in a new one
    }
  }

  // The first seq in a segment's name (events-<node>-<first seq>.jsonl), read once when it opens.
  static std::uint64_t first_seq_of(const fs::path& p) {
    const std::string name = p.stem().string();
    const auto dash = name.rfind('-');
    return dash == std::string::npos ? 0 : std::strtoull(name.c_str() + dash + 1, nullptr, 10);
  }
  std::uint64_t segment_first_seq() const { return first_seq; }

  // --- one group -------------------------------------------------------------------------
  std::error_code writev_all(std::vector<iovec>& iov) {
    std::size_t i = 0;
    while (i < iov.size()) {
      int n = static_cast<int>(std::min<std::size_t>(iov.size() - i, kIovMax));
      ssize_t w = ::writev(fd, &iov[i], n);
      if (w < 0) {
        if (errno == EINTR) continue;
        return errno_code();
      }
      size += static_cast<std::uint64_t>(w);
      auto left = static_cast<std::size_t>(w);
      while (left > 0 && i < iov.size()) {
        if (left >= iov[i].iov_len) {
          left -= iov[i].iov_len;
          ++i;
        } else {
          iov[i].iov_base = static_cast<char*>(iov[i].iov_base) + left;
          iov[i].iov_len -= left;
          left = 0;
        }
      }
      while (i < iov.size() && iov[i].iov_len == 0) ++i;
    }
    return {};
  }

  // Writes batches [b, e) into the current segment; sets each batch's result and place.
  void write_run(std::vector<Batch>& group, std::size_t b, std::size_t e) {
    std::vector<iovec> iov;
    const std::uint64_t first_seq = segment_first_seq();
    std::uint64_t at = size;
    for (std::size_t k = b; k < e; ++k) {
      group[k].placed = Placement{first_seq, at};
      at += group[k].bytes;
      for (auto& l : group[k].lines) {
        iov.push_back(iovec{l.json.data(), l.json.size()});
        if (l.json.empty() || l.json.back() != '\n') iov.push_back(iovec{const_cast<char*>(kNewline), 1});
      }
    }
    std::uint64_t start = size;
    std::error_code ec = writev_all(iov);
    if (!ec && !relaxed()) ec = sync();
    if (ec) {
      rollback(start);
      note_error(ec);
    } else if (relaxed()) {
      if (!dirty) sync_due = Clock::now() + opt.relaxed_sync_interval;
      dirty = true;
    }
    for (std::size_t k = b; k < e; ++k) group[k].result = ec;
    std::lock_guard lk(m);
    ++stats.groups;
  }

  std::error_code validate(Batch& batch) {
    std::uint64_t prev = last_seq;
    for (const auto& l : batch.lines) {
      if (l.seq <= prev) return std::make_error_code(std::errc::invalid_argument);
      prev = l.seq;
      std::size_t body = l.json.size() - (!l.json.empty() && l.json.back() == '\n' ? 1 : 0);
      if (body == 0 || std::memchr(l.json.data(), '\n', body) != nullptr)
        return std::make_error_code(std::errc::invalid_argument);
      batch.bytes += body + 1;
    }
    return {};
  }

  void process(std::vector<Batch>& group) {
    std::uint64_t run_bytes = 0;
    std::vector<std::size_t> valid;  // indexes of batches to write, in order
    for (std::size_t k = 0; k < group.size(); ++k) {
      Batch& batch = group[k];
      if (auto ec = validate(batch)) {
        batch.result = ec;
        note_error(ec);
        continue;
      }
      if (!batch.lines.empty()) last_seq = batch.lines.back().seq;  // never reused, even if the write fails
      valid.push_back(k);
    }
    // Split the valid batches into runs, one per segment.
    std::vector<std::size_t> run;
    auto flush_run = [&] {
      if (run.empty()) return;
      // write_run wants a contiguous range: move the run's batches into a scratch vector.
      std::vector<Batch> tmp;
      tmp.reserve(run.size());
      for (auto k : run) tmp.push_back(std::move(group[k]));
      write_run(tmp, 0, tmp.size());
      for (std::size_t i = 0; i < run.size(); ++i) group[run[i]] = std::move(tmp[i]);
      run.clear();
      run_bytes = 0;
    };
    for (auto k : valid) {
      Batch& batch = group[k];
      if (batch.lines.empty()) continue;  // nothing to store: completes with success
      bool need_new = fd < 0 || segment_broken ||
                      (size + run_bytes > 0 && size + run_bytes + batch.bytes > opt.segment_bytes);
      if (need_new) {
        flush_run();
        if (fd >= 0 && relaxed() && dirty) {
          if (auto ec = sync()) note_error(ec);
        }
        bool rotation = fd >= 0;
        if (auto ec = open_segment(opt.dir / segment_name(opt.node, batch.lines.front().seq))) {
          batch.result = ec;
          note_error(ec);
          continue;
        }
        if (rotation) {
          std::lock_guard lk(m);
          ++stats.rotations;
        }
      }
      run.push_back(k);
      run_bytes += batch.bytes;
    }
    flush_run();
  }

  void complete(std::vector<Batch>& group) {
    {
      // Counted before the completions run, so whoever got one sees it in stats().
      std::lock_guard lk(m);
      for (auto& b : group) {
        if (b.result) {
          ++stats.failed_appends;
        } else {
          ++stats.appends;
          stats.lines += b.lines.size();
          stats.bytes += b.bytes;
        }
      }
    }
    for (auto& b : group) {
      if (b.done) {
        try {
          b.done(b.result, b.placed);
        } catch (...) {
          // A completion must not take the writer down; the caller's bug stays the caller's.
        }
      }
    }
  }

  void run() {
    std::vector<Batch> group;
    for (;;) {
      bool stop;
      {
        std::unique_lock lk(m);
        while (queue.empty() && !stopping && !sync_requested) {
          if (!dirty) {
            work_cv.wait(lk);
          } else if (work_cv.wait_until(lk, sync_due) == std::cv_status::timeout) {
            break;
          }
        }
        if (!relaxed() && opt.commit_window.count() > 0 && !queue.empty() && !stopping) {
          // Within the window of the previous sync: sleep to its end (appends do not wake
          // the writer meanwhile), then take everything queued by then as one group.
          const auto due = last_sync + opt.commit_window;
          if (Clock::now() < due) {
            lk.unlock();
            std::this_thread::sleep_until(due);
            lk.lock();
          }
        }
        group.clear();
        while (!queue.empty()) {
          group.push_back(std::move(queue.front()));
          queue.pop_front();
        }
        stop = stopping;
      }
      if (!group.empty()) {
        process(group);
        complete(group);
        written_ticket = group.back().ticket;
        if (!relaxed()) {
          std::lock_guard lk(m);
          durable_ticket = written_ticket;
          done_cv.notify_all();
        }
      }
      if (relaxed()) {
        bool want;
        {
          std::lock_guard lk(m);
          want = sync_requested || stop || Clock::now() >= sync_due;
        }
        if (want) {
          if (dirty) {
            if (auto ec = sync()) note_error(ec);  // completions were already given: flush() reports it
            dirty = false;
          }
          std::lock_guard lk(m);
          durable_ticket = written_ticket;
          sync_requested = false;
          done_cv.notify_all();
        }
      }
      if (stop) break;
    }
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }
};

Writer::Writer(Options options) : impl_(std::make_unique<Impl>()) {
  Impl& s = *impl_;
  s.opt = std::move(options);
  if (s.opt.node.empty() || s.opt.node.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") != std::string::npos)
    throw std::system_error(std::make_error_code(std::errc::invalid_argument), "event log: bad node id '" + s.opt.node + "'");
  std::error_code ec;
  fs::create_directories(s.opt.dir, ec);
  if (ec) throw std::system_error(ec, "cannot create " + s.opt.dir.string());

  fs::path lock = s.opt.dir / ("events-" + s.opt.node + ".lock");
  s.lock_fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (s.lock_fd < 0) throw_errno("cannot open", lock);
  if (::flock(s.lock_fd, LOCK_EX | LOCK_NB) != 0) {
    auto e = errno_code();
    ::close(s.lock_fd);
    throw std::system_error(e, "event log of node " + s.opt.node + " is in use: " + lock.string());
  }
  try {
    s.rec = recover(s.opt.dir, s.opt.node);
    s.last_seq = s.rec.next_seq - 1;
    if (!s.rec.segment.empty()) {
      if (auto e = s.open_segment(s.rec.segment))
        throw std::system_error(e, "cannot open " + s.rec.segment.string());
    }
  } catch (...) {
    ::close(s.lock_fd);
    throw;
  }
  s.thread = std::thread([this] {
    ::pthread_setname_np(::pthread_self(), "chatd-log");
    impl_->run();
  });
}

Writer::~Writer() { close(); }

const Recovery& Writer::recovery() const { return impl_->rec; }
std::uint64_t Writer::next_seq() const { return impl_->rec.next_seq; }

void Writer::append(std::vector<Line>&& lines, Completion done) {
  PlacedCompletion placed;
  if (done) placed = [done = std::move(done)](std::error_code ec, Placement) { done(ec); };
  append_placed(std::move(lines), std::move(placed));
}

void Writer::append_placed(std::vector<Line>&& lines, PlacedCompletion done) {
  Impl& s = *impl_;
  {
    std::lock_guard lk(s.m);
    if (!s.closed && !s.stopping) {
      Batch b;
      b.lines = std::move(lines);
      b.done = std::move(done);
      b.ticket = s.next_ticket++;
      s.queue.push_back(std::move(b));
      s.work_cv.notify_one();
      return;
    }
  }
  if (done) done(std::make_error_code(std::errc::bad_file_descriptor), Placement{});
}

std::error_code Writer::flush() {
  Impl& s = *impl_;
  std::unique_lock lk(s.m);
  if (!s.closed) {
    std::uint64_t target = s.next_ticket - 1;
    if (s.relaxed()) s.sync_requested = true;
    s.work_cv.notify_one();
    s.done_cv.wait(lk, [&] { return s.durable_ticket >= target; });
  }
  std::error_code ec = s.first_error;
  s.first_error.clear();
  return ec;
}

void Writer::close() {
  Impl& s = *impl_;
  {
    std::lock_guard lk(s.m);
    if (s.closed) return;
    s.stopping = true;
    s.work_cv.notify_one();
  }
  if (s.thread.joinable()) s.thread.join();
  {
    std::lock_guard lk(s.m);
    s.closed = true;
    s.durable_ticket = s.next_ticket - 1;
    s.done_cv.notify_all();
  }
  if (s.lock_fd >= 0) {
    ::close(s.lock_fd);
    s.lock_fd = -1;
  }
}

Stats Writer::stats() const {
  std::lock_guard lk(impl_->m);
  return impl_->stats;
}

}  // namespace chat::eventlog
