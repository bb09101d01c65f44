// json_in.hpp — JSON text in: read by simdjson, as nlohmann's parser would read it.
//
// simdjson's SIMD parser costs a fraction of nlohmann's. parse_json gives the value nlohmann's
// own parser makes of the same text, value for value; whatever simdjson refuses, or might read
// differently (numbers out of its range, -0, nesting past its depth), is left to nlohmann, so
// the verdict on bad input is nlohmann's. read_logged reads a log line that holds a message or
// a lifecycle event straight into its struct (message_event.hpp, conv_event.hpp), the fields
// MessageEvent::from_json and Router::apply would take from its JSON object, with no object in
// between: most of what a replay reads.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "message_event.hpp"

namespace chat::router {

nlohmann::json parse_json(std::string_view text);

// A frame's member by reference, or a null when the frame has none: looked up once, and the
// value not copied.
const nlohmann::json& member(const nlohmann::json& frame, const char* key);

// A logged message or lifecycle event (opened, reopened, resolved), typed.
struct LoggedLine {
    std::optional<MessageEvent> message;
    std::optional<ConvEvent> conv_event;  // when not a message
    std::uint64_t seq = 0;                // 0 when absent or not an unsigned integer
    std::int64_t ts = 0;
    const std::string& conv() const { return message ? message->conv : conv_event->conv; }
    Event event() && { return message ? Event(std::move(*message)) : Event(std::move(*conv_event)); }
};

// nullopt: another kind of event, or a line this reader cannot vouch to read as nlohmann
// would (a duplicate key, a `ts` that is no integer, invalid JSON…): parse it with parse_json.
std::optional<LoggedLine> read_logged(std::string_view line);

}  // namespace chat::router
