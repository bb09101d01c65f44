// frame.hpp — the fields of a server frame the load generator looks at, read with simdjson
// (the generator parses tens of thousands of frames a second on a core it shares with the
// server, so it must cost little). Views point into the parser: valid until the next parse.
#pragma once

#include <cstdint>
#include <string_view>

namespace chat::bench {

struct Frame {
    std::string_view type, author, client_id, conv, stage, token, outcome, for_, code, text, msg;
    std::uint64_t seq = 0, last_seq = 0;
    bool has_seq = false;
};

// False when `text` is not a JSON object.
bool parse_frame(std::string_view text, Frame& out);

}  // namespace chat::bench
