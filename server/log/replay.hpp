// replay.hpp — reading this node's own segments back: all of them in seq order at
// start-up, and single lines at the places the writer reported (a closed conversation's
// history, which does not stay in memory).
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
#include <vector>

#include "event_log.hpp"

namespace chat::eventlog {

struct ReplayCounts {
    std::uint64_t lines = 0, bad_lines = 0, segments = 0;
};

// Calls `line` for each line of `<dir>/events-<node>-*.jsonl`, segments ordered by first seq,
// with the line's place (its segment's first seq and its offset in it).
ReplayCounts replay_segments(const std::filesystem::path& dir, const std::string& node,
                             const std::function<void(std::string_view, Placement)>& line);

// The lines at `places` (each the start of a line), in the order given, without their '\n'.
// A place that cannot be read (no such segment, past its end) yields no line and is named
// in `error` (the first such), so the caller can say what is missing.
std::vector<std::string> read_lines_at(const std::filesystem::path& dir, const std::string& node,
                                       const std::vector<Placement>& places, std::string* error = nullptr);

}  // namespace chat::eventlog
