// event_parser.hpp — turns one log line into an Event, with simdjson's On-Demand API.
//
// One parser per thread: it owns simdjson's buffers and a padded scratch copy for lines that
// do not come with SIMDJSON_PADDING readable bytes after them. The Event it fills points into
// those buffers (and into the line) until the next call to parse().
#pragma once

#include "event.hpp"

#include <memory>
#include <string>
#include <string_view>

namespace chat::kpi {

enum class ParseStatus {
  ok,            // a known type with every field it needs
  unknown_type,  // valid envelope, type unknown to this reader
  invalid,       // not a JSON object, or ts/node/seq/type (or conv where required) missing/wrong
};

class EventParser {
 public:
  EventParser();
  ~EventParser();
  EventParser(const EventParser&) = delete;
  EventParser& operator=(const EventParser&) = delete;

  // `line` is one line without its '\n'. When `padded` is true the caller promises that at
  // least 64 bytes after line.end() are readable (a mapped file with data after the line),
  // which saves a copy.
  ParseStatus parse(std::string_view line, Event& out, bool padded = false);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// JSON string token (with its quotes) -> UTF-8 text. Returns false when the token is not a
// valid JSON string. Used for message texts, which are unescaped only when a KPI needs them.
bool unescape_json_string(std::string_view token, std::string& out);

}  // namespace chat::kpi
