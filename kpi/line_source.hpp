// line_source.hpp — reads one segment file line by line with large buffered reads.
//
// Buffered read() rather than mmap: a writer may truncate a torn tail of the file we are
// reading, which would turn an mmap read into SIGBUS; a read() just returns less. The buffer
// keeps SIMDJSON_PADDING spare bytes after its end so a line can be parsed in place.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string_view>

namespace chat::kpi {

class LineSource {
 public:
  // Throws ReadError (log_reader.hpp) when the file cannot be opened.
  LineSource(const std::filesystem::path& file, std::size_t buffer_bytes);
  ~LineSource();
  LineSource(const LineSource&) = delete;
  LineSource& operator=(const LineSource&) = delete;

  // Next line without its '\n'; false at the end of the file. `complete` is false for a last
  // line with no '\n' after it (a torn write). `offset` is the line's byte offset.
  // The line stays valid until the next call; 64 readable bytes follow it.
  bool next(std::string_view& line, bool& complete, std::uint64_t& offset);

  std::uint64_t bytes_read() const { return file_pos_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  bool fill();  // reads more; false at EOF

  std::filesystem::path path_;
  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  std::size_t cap_;
  std::size_t begin_ = 0, end_ = 0;  // unread data in buf_
  std::uint64_t file_pos_ = 0;       // bytes read from the file so far
  std::uint64_t buf_offset_ = 0;     // file offset of buf_[0]
  bool eof_ = false;
};

}  // namespace chat::kpi
