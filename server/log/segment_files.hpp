// segment_files.hpp — (internal) naming and finding a node's segment files, and the few
// POSIX file helpers the writer and the recovery share (retrying on EINTR, fsync of a
// directory so that a new file's name is as durable as its data).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

namespace chat::eventlog::detail {

struct Segment {
  std::filesystem::path path;
  std::uint64_t first_seq;
};

std::string segment_name(const std::string& node, std::uint64_t first_seq);
// This node's segments in `dir`, oldest first.
std::vector<Segment> list_segments(const std::filesystem::path& dir, const std::string& node);

std::error_code errno_code();
std::error_code fsync_dir(const std::filesystem::path& dir);
std::error_code write_all(int fd, const char* data, std::size_t size);
[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& where);

}  // namespace chat::eventlog::detail
