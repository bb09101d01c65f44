// segment_files.cpp — segment names, listing, and small POSIX helpers (see header).
#include "segment_files.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace chat::eventlog::detail {

namespace fs = std::filesystem;

std::string segment_name(const std::string& node, std::uint64_t first_seq) {
  return "events-" + node + "-" + std::to_string(first_seq) + ".jsonl";
}

std::vector<Segment> list_segments(const fs::path& dir, const std::string& node) {
  std::vector<Segment> out;
  const std::string prefix = "events-" + node + "-";
  const std::string suffix = ".jsonl";
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    std::string digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    if (digits.empty() || digits.size() > 19 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    out.push_back(Segment{it->path(), std::stoull(digits)});
  }
  if (ec) throw std::system_error(ec, "cannot list " + dir.string());
  std::sort(out.begin(), out.end(), [](const Segment& a, const Segment& b) { return a.first_seq < b.first_seq; });
  return out;
}

std::error_code errno_code() { return std::error_code(errno, std::system_category()); }

std::error_code fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno_code();
  std::error_code ec;
  if (::fsync(fd) != 0) ec = errno_code();
  ::close(fd);
  return ec;
}

std::error_code write_all(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_code();
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return {};
}

void throw_errno(const std::string& what, const fs::path& where) {
  throw std::system_error(errno_code(), what + " " + where.string());
}

}  // namespace chat::eventlog::detail
