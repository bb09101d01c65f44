// line_source.cpp — buffered line splitting over one file (see header).
#include "line_source.hpp"

#include "log_reader.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace chat::kpi {

namespace {
constexpr std::size_t kPadding = 64;  // simdjson::SIMDJSON_PADDING
}

LineSource::LineSource(const std::filesystem::path& file, std::size_t buffer_bytes)
    : path_(file), cap_(buffer_bytes) {
  fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw ReadError("cannot read " + file.string() + ": " + std::strerror(errno));
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
  buf_ = std::make_unique_for_overwrite<char[]>(cap_ + kPadding);
}

LineSource::~LineSource() {
  if (fd_ >= 0) ::close(fd_);
}

bool LineSource::fill() {
  if (eof_) return false;
  if (begin_ > 0) {  // keep the unread part at the front
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    buf_offset_ += begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == cap_) {  // a line longer than the buffer: grow it
    std::size_t cap = cap_ * 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(cap + kPadding);
    std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    cap_ = cap;
  }
  for (;;) {
    ssize_t n = ::read(fd_, buf_.get() + end_, cap_ - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw ReadError("cannot read " + path_.string() + ": " + std::strerror(errno));
    if (n == 0) {
      eof_ = true;
      return false;
    }
    end_ += static_cast<std::size_t>(n);
    file_pos_ += static_cast<std::uint64_t>(n);
    return true;
  }
}

bool LineSource::next(std::string_view& line, bool& complete, std::uint64_t& offset) {
  std::size_t scanned = begin_;
  for (;;) {
    const char* start = buf_.get() + begin_;
    const void* nl = std::memchr(buf_.get() + scanned, '\n', end_ - scanned);
    if (nl) {
      const char* e = static_cast<const char*>(nl);
      line = std::string_view(start, static_cast<std::size_t>(e - start));
      offset = buf_offset_ + begin_;
      complete = true;
      begin_ = static_cast<std::size_t>(e - buf_.get()) + 1;
      return true;
    }
    std::size_t pending = end_ - begin_;
    if (!fill()) {
      if (end_ == begin_) return false;
      line = std::string_view(buf_.get() + begin_, end_ - begin_);
      offset = buf_offset_ + begin_;
      complete = false;
      begin_ = end_;
      return true;
    }
    scanned = begin_ + pending;  // fill() moved the data to the front
  }
}

}  // namespace chat::kpi
