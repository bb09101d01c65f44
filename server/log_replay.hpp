// log_replay.hpp — reading this node's own segments back, in seq order, at start-up.
//
// The writer has already cut a torn tail when it opened the log, so every complete line is an
// event this node made durable; a line that does not parse (a disk fault) is counted and
// skipped, never fatal. Lines are handed over one by one so the whole log is never in memory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace chat::server {

struct ReplayCounts {
    std::uint64_t lines = 0, bad_lines = 0, segments = 0;
};

// Calls `line` for each line of `<dir>/events-<node>-*.jsonl`, segments ordered by first seq.
ReplayCounts replay_segments(const std::filesystem::path& dir, const std::string& node,
                             const std::function<void(std::string_view)>& line);

}  // namespace chat::server
