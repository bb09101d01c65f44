// protocol.hpp — the chat protocol's frames (../shared/spec/protocol.md, docs/protocol.md).
//
// Parsing a client frame into a checked Frame, and building the server's frames. Pure: the
// sessions call it, the unit tests call it, and no socket is involved. Every rejection is a
// FrameError carrying one of the spec's error codes, so a session answers it and goes on.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace chat::server {

struct FrameError {
    std::string code;  // bad_json, bad_request, too_large, ...
    std::string message;
};

// A client frame whose JSON parsed to an object with a string `type`.
struct Frame {
    std::string type;
    nlohmann::json body;
};

// Parses one text frame. `max_text_chars` bounds any `text` field (in UTF-8 code points).
// Returns the frame, or sets `err` and returns nullopt.
std::optional<Frame> parse_frame(std::string_view text, std::size_t max_text_chars, FrameError& err);

// Number of UTF-8 code points in `s`; invalid bytes count one each.
std::size_t utf8_length(std::string_view s);

std::string error_frame(std::string_view code, std::string_view message);
std::string welcome_frame(std::string_view visitor, std::string_view token, const std::optional<std::string>& conv,
                          std::uint64_t last_seq);

}  // namespace chat::server
