// ws_frames.hpp — the WebSocket framing of RFC 6455 as a client speaks it: frames written
// masked into a caller's buffer, the server's frames read from bytes received. Pure: no
// sockets, no clocks, no allocation beyond the caller's buffer.
//
// Beast opens the connection and carries the HTTP upgrade (connection.cpp), with the key and the
// expected accept value made here; the frames after it go through here so that one read gives every whole frame it holds and one write carries every
// frame of a turn. The frames on the wire are the ones Beast's stream writes: one unfragmented
// masked frame per message, the length in the shortest form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ws_codec.hpp"

namespace chat::bench::ws {

enum Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Appends one final masked frame carrying `payload` to `out`. The mask is applied 8 bytes at a time.
void append_frame(std::string& out, Opcode op, std::string_view payload, std::uint32_t mask);

struct Frame {
    bool fin = false;
    Opcode op = text;
    std::string_view payload;  // points into the bytes given to parse()
};

enum class Parse { frame, need_more, bad };

// Reads the frame at the front of `in`: `frame` sets `f` and `used`; `need_more` when `in` holds
// only part of one; `bad` when it breaks the protocol for a server's frame (masked, reserved bits
// or opcode, control frame fragmented or over 125 bytes) or its payload exceeds `max_payload`.
Parse parse(std::string_view in, std::uint64_t max_payload, Frame& f, std::size_t& used);

// A fresh Sec-WebSocket-Key: 16 random bytes in base64 (RFC 6455 §4.1).
std::string make_key();
// The Sec-WebSocket-Accept a server must answer to `key`: base64(SHA-1(key + the protocol's
// GUID)) (RFC 6455 §4.2.2), as chatd's visitor loop computes it (server/ws_codec.hpp).
inline std::string accept_for(std::string_view key) { return chat::server::ws::accept_key(key); }

}  // namespace chat::bench::ws
