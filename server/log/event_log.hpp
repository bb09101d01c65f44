// event_log.hpp — the event log writer: append-only JSON Lines segments, durable appends with
// group commit, on a thread of its own.
//
// Who calls what, on which thread:
// - The server's log strand builds every event's line itself (v, ts, node, seq, ...), taking
//   seqs from next_seq() onwards, and calls append() with a batch of lines in seq order.
//   append() only moves the batch into a queue: it never blocks on I/O.
// - The writer thread takes everything queued, writes it with writev (straight from the
//   strings, no second copy), calls fdatasync once for the whole group, then invokes each
//   batch's completion on the writer thread; the server posts back to its own executor.
// - At clean shutdown: flush() (wait until all appended is durable), then close().
//
// Guarantees (strict mode, the default): a completion with no error means every line of the
// batch is in the file and fdatasync'ed, and the segment's directory entry is synced. An error
// (ENOSPC, EFBIG, EIO...) means the batch is not stored: the file is cut back to its last
// durable size so no partial line remains, and later appends are tried again normally.
// Relaxed mode (relaxed_sync_interval > 0): completions once written (in the page cache),
// fdatasync every interval — a machine crash may lose the last interval.
//
// Files: <dir>/events-<node>-<first seq>.jsonl, a new one when the current one would grow past
// segment_bytes (a batch is never split across segments). A torn tail found at open is cut and
// kept in <segment>.torn-<offset>. <dir>/events-<node>.lock keeps a second writer out.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

namespace chat::eventlog {

struct Options {
  std::filesystem::path dir;
  std::string node;                          // [A-Za-z0-9._-], as in the file names
  std::uint64_t segment_bytes = 64ull << 20;
  std::chrono::milliseconds relaxed_sync_interval{0};  // 0 = strict: sync before completing
  // Strict mode: at most one fdatasync per window. A group that is ready sooner than a window
  // after the previous sync started waits for the window's end, and everything appended
  // meanwhile joins it. An append after a quiet spell is synced at once. 0 = no window.
  std::chrono::microseconds commit_window{0};
  // Called on the writer thread after every fdatasync with how long it took (the disk's own
  // part of an append's latency, apart from the waits for the window and the previous sync).
  std::function<void(std::chrono::nanoseconds)> on_sync{};
};

// One serialised event. `seq` must equal the "seq" written in `json`; seqs must strictly
// increase across all appends. `json` is one line; its '\n' may be included or left out.
struct Line {
  std::uint64_t seq = 0;
  std::string json;
};

// Invoked once per append, on the writer thread (or at once on the caller's thread after
// close()). Must not block for long: it delays every later completion.
using Completion = std::function<void(std::error_code)>;

// Where an append's lines were stored: the segment (named by its first seq, as in its file
// name) and the offset of the append's first line in it. A batch is never split across
// segments, so its lines follow one another from there, each with its '\n'. Segments are
// only ever appended to (erasure blanks texts in place), so a place stays valid.
struct Placement {
  std::uint64_t segment = 0;
  std::uint64_t offset = 0;
};
using PlacedCompletion = std::function<void(std::error_code, Placement)>;

// What open() found and did.
struct Recovery {
  std::filesystem::path segment;   // newest segment of this node, empty when none
  std::uint64_t segments = 0;      // segments of this node found
  std::uint64_t last_seq = 0;      // last seq in the log, 0 when empty
  std::uint64_t next_seq = 1;
  std::uint64_t torn_offset = 0;   // where the cut started
  std::uint64_t torn_bytes = 0;    // bytes cut from the newest segment (0: none)
  std::filesystem::path torn_copy; // side file holding them
  std::string describe() const;    // one line for the server's start-up log
};

struct Stats {
  std::uint64_t appends = 0;         // batches completed successfully
  std::uint64_t lines = 0;           // lines stored
  std::uint64_t bytes = 0;
  std::uint64_t syncs = 0;           // fdatasync calls
  std::uint64_t groups = 0;          // writev groups (one per writer wake-up and segment)
  std::uint64_t failed_appends = 0;  // batches completed with an error
  std::uint64_t rotations = 0;
};

class Writer {
 public:
  // Creates `dir` if needed, takes the node's lock, recovers the newest segment and starts
  // the writer thread. Throws std::system_error (what and where) on failure.
  explicit Writer(Options options);
  ~Writer();  // close()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  const Recovery& recovery() const;
  // The seq of the first event to append after open: last seq in the log + 1.
  std::uint64_t next_seq() const;

  // Thread-safe; never blocks on I/O. Errors: std::errc::invalid_argument (seq not
  // increasing, a line with an inner '\n') — nothing of the batch is written; the write or
  // sync errno; std::errc::bad_file_descriptor after close().
  void append(std::vector<Line>&& lines, Completion done);
  // The same, telling the completion where the lines are (meaningless on error).
  void append_placed(std::vector<Line>&& lines, PlacedCompletion done);

  // Blocks until everything appended before the call is durable (relaxed mode: forces the
  // sync). Returns the first error any append or sync met since the previous flush().
  std::error_code flush();

  // Flushes, stops the thread, closes the files. Idempotent.
  void close();

  Stats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chat::eventlog
