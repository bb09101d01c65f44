// recovery.cpp — torn-tail repair and seq continuation at open (see header).
//
// A crash can leave the end of the newest segment half-written: a line without its '\n',
// or bytes that are not a whole event. Those appends never completed (completion comes after
// fdatasync), so cutting them loses nothing acknowledged; the cut bytes are kept next to the
// segment, in a file whose name does not end in .jsonl, for a human to look at.
#include "recovery.hpp"

#include "segment_files.hpp"

#include <simdjson.h>

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace chat::eventlog::detail {

namespace fs = std::filesystem;

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string read_range(int fd, std::uint64_t from, std::uint64_t to, const fs::path& path) {
  std::string buf(to - from, '\0');
  std::size_t done = 0;
  while (done < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + done, buf.size() - done, static_cast<off_t>(from + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno("cannot read", path);
    if (n == 0) break;
    done += static_cast<std::size_t>(n);
  }
  buf.resize(done);
  return buf;
}

// Start offset of the line that ends at `end` (exclusive; the byte at end-1 is not part of
// the search), i.e. one past the previous '\n', or 0.
std::uint64_t line_start(int fd, std::uint64_t end, const fs::path& path) {
  constexpr std::uint64_t kBlock = 64 * 1024;
  std::uint64_t pos = end;
  while (pos > 0) {
    std::uint64_t from = pos > kBlock ? pos - kBlock : 0;
    std::string block = read_range(fd, from, pos, path);
    auto nl = block.rfind('\n');
    if (nl != std::string::npos) return from + nl + 1;
    pos = from;
  }
  return 0;
}

struct Tail {
  std::uint64_t good_end;  // offset after the last valid line
  std::uint64_t last_seq;  // its seq
  bool found;              // false: no valid line in the file
};

// Walks back from the end over lines that are torn or invalid.
Tail scan_tail(int fd, std::uint64_t size, const fs::path& path) {
  std::uint64_t end = size;
  while (end > 0) {
    std::string last_byte = read_range(fd, end - 1, end, path);
    if (last_byte != "\n") {  // no newline: torn
      end = line_start(fd, end, path);
      continue;
    }
    std::uint64_t start = line_start(fd, end - 1, path);
    std::string line = read_range(fd, start, end - 1, path);
    if (auto seq = seq_of_line(line)) return Tail{end, *seq, true};
    end = start;  // a complete but invalid last line: also cut
  }
  return Tail{0, 0, false};
}

}  // namespace

std::optional<std::uint64_t> seq_of_line(std::string_view line) {
  static thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc)) return std::nullopt;
  if (!doc.is_object()) return std::nullopt;
  std::uint64_t seq = 0;
  if (doc["seq"].get_uint64().get(seq)) return std::nullopt;
  return seq;
}

Recovery recover(const fs::path& dir, const std::string& node) {
  Recovery rec;
  std::vector<Segment> segs = list_segments(dir, node);
  rec.segments = segs.size();
  if (segs.empty()) return rec;
  const Segment& newest = segs.back();
  rec.segment = newest.path;

  Fd f;
  f.fd = ::open(newest.path.c_str(), O_RDWR | O_CLOEXEC);
  if (f.fd < 0) throw_errno("cannot open", newest.path);
  struct stat st;
  if (::fstat(f.fd, &st) != 0) throw_errno("cannot stat", newest.path);
  auto size = static_cast<std::uint64_t>(st.st_size);
  Tail tail = scan_tail(f.fd, size, newest.path);

  if (tail.good_end < size) {
    rec.torn_offset = tail.good_end;
    rec.torn_bytes = size - tail.good_end;
    std::string cut = read_range(f.fd, tail.good_end, size, newest.path);
    fs::path side = newest.path.string() + ".torn-" + std::to_string(tail.good_end);
    for (int k = 1; fs::exists(side); ++k)
      side = newest.path.string() + ".torn-" + std::to_string(tail.good_end) + "." + std::to_string(k);
    Fd s;
    s.fd = ::open(side.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (s.fd < 0) throw_errno("cannot create", side);
    if (auto ec = write_all(s.fd, cut.data(), cut.size())) throw std::system_error(ec, "cannot write " + side.string());
    if (::fsync(s.fd) != 0) throw_errno("cannot sync", side);
    if (::ftruncate(f.fd, static_cast<off_t>(tail.good_end)) != 0) throw_errno("cannot truncate", newest.path);
    if (::fdatasync(f.fd) != 0) throw_errno("cannot sync", newest.path);
    if (auto ec = fsync_dir(dir)) throw std::system_error(ec, "cannot sync directory " + dir.string());
    rec.torn_copy = side;
  }

  rec.last_seq = tail.last_seq;
  bool found = tail.found;
  // An empty newest segment (created, then a crash before its first line was durable):
  // the last seq is in the one before it.
  for (std::size_t i = segs.size() - 1; !found && i-- > 0;) {
    Fd g;
    g.fd = ::open(segs[i].path.c_str(), O_RDONLY | O_CLOEXEC);
    if (g.fd < 0) throw_errno("cannot open", segs[i].path);
    if (::fstat(g.fd, &st) != 0) throw_errno("cannot stat", segs[i].path);
    Tail t = scan_tail(g.fd, static_cast<std::uint64_t>(st.st_size), segs[i].path);
    found = t.found;
    rec.last_seq = t.last_seq;
  }
  rec.next_seq = std::max(found ? rec.last_seq + 1 : 1, newest.first_seq);
  return rec;
}

}  // namespace chat::eventlog::detail

namespace chat::eventlog {

std::string Recovery::describe() const {
  if (segment.empty()) return "event log: empty, first seq 1";
  std::string s = "event log: " + std::to_string(segments) + " segment(s), newest " + segment.filename().string() +
                  ", last seq " + std::to_string(last_seq);
  if (torn_bytes)
    s += "; cut a torn tail of " + std::to_string(torn_bytes) + " byte(s) at offset " + std::to_string(torn_offset) +
         ", kept in " + torn_copy.filename().string();
  return s;
}

}  // namespace chat::eventlog
