// recovery.hpp — (internal) what the writer does at open: find the node's newest segment,
// cut a torn tail (a last line with no '\n', or one that is not a JSON object with a seq)
// into a side file, and find the last seq so numbering continues.
#pragma once

#include "event_log.hpp"

#include <optional>
#include <string_view>

namespace chat::eventlog::detail {

// Throws std::system_error naming the file at fault.
Recovery recover(const std::filesystem::path& dir, const std::string& node);

// The seq of a complete event line (without '\n'); nullopt if it is not one.
std::optional<std::uint64_t> seq_of_line(std::string_view line);

}  // namespace chat::eventlog::detail
