// log_reader.hpp — reads the event log: segments from data directories and/or files, of one
// node or several, as one stream of events.
//
// Used by chat-kpi (order does not matter to the KPI engine, so it reads file after file)
// and by the server's recovery (which replays raw lines in the log's order: merged by
// (ts, node, seq) across all segments; each segment is expected in that order already, as the
// writer produces it). Torn last lines, invalid lines and unknown types are skipped and
// counted, with the first few described in `warnings`.
#pragma once

#include "event.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace chat::kpi {

// "cannot read <path>: <reason>" — a missing path, an unreadable file or directory.
class ReadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReadStats {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
  std::uint64_t lines = 0;         // non-empty lines
  std::uint64_t events = 0;        // delivered to the callback
  std::uint64_t torn = 0;          // last line of a file without '\n'
  std::uint64_t invalid = 0;       // not a valid event
  std::uint64_t unknown_type = 0;  // valid, but a type this reader does not know
  std::vector<std::string> warnings;  // "file:offset: what", the first max_warnings
};

struct ReaderOptions {
  bool ordered = true;  // merge by (ts, node, seq); false: file after file (faster)
  std::size_t max_warnings = 20;
  // Called now and then with bytes read so far and the total size of the inputs.
  std::function<void(std::uint64_t done, std::uint64_t total)> progress;
};

// The segment files named by `inputs`: a file as itself, a directory as every *.jsonl under
// it (recursively), sorted by path, duplicates removed. Throws ReadError.
std::vector<std::filesystem::path> list_segments(const std::vector<std::filesystem::path>& inputs);

// `event` is valid only during the call; `raw` is the line without its '\n'.
using EventCallback = std::function<void(const Event& event, std::string_view raw)>;

// Reads every segment of `inputs`. Throws ReadError.
ReadStats read_log(const std::vector<std::filesystem::path>& inputs, const EventCallback& callback,
                   const ReaderOptions& options = {});

}  // namespace chat::kpi
