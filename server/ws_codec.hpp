// ws_codec.hpp — the server side of RFC 6455 framing, as pure functions over bytes.
//
// The visitor loop (visitor_loop.hpp) carries shoppers' WebSockets on its own epoll set rather
// than through Beast, so the framing it needs lives here: reading a client's frames in place
// (masked, as clients must; unmasked where they lie), writing the server's (never masked, never
// fragmented), the close frame's code and reason, and the handshake's accept value. No
// sockets, no clocks: the unit tests drive it with byte strings. A client's frame writer is here
// too, for the load generator and the tests. Agents' sockets still go
// through Beast (websocket_session.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chat::server::ws {

enum Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

// Close codes the server sends (RFC 6455 §7.4.1).
enum CloseCode : std::uint16_t {
    normal = 1000,
    going_away = 1001,
    protocol_error = 1002,
    bad_payload = 1007,  // a text message that is not UTF-8
    policy_error = 1008,
    too_big = 1009,
    try_again_later = 1013,
};

struct ClientFrame {
    bool fin = false;
    std::uint8_t opcode = 0;
    std::string_view payload;  // unmasked, inside the buffer handed to read_client_frame
};

enum class Read {
    frame,           // `frame` and `consumed` are set
    need_more,       // the buffer ends inside a frame
    protocol_error,  // close with 1002
    too_big,         // the payload is over the limit: close with 1009
};

// Reads the frame at the start of data[0, size): checks the header (mask bit set, no reserved
// bits, a known opcode, control frames whole and at most 125 bytes), unmasks its payload in
// place and says how many bytes it took. A payload over `max_payload` is refused as soon as
// its header is read, before the rest arrives.
Read read_client_frame(char* data, std::size_t size, std::size_t max_payload, ClientFrame& frame, std::size_t& consumed);

// XORs n bytes with a 4-byte masking key (RFC 6455 §5.3), 8 bytes at a time: masks and unmasks.
void apply_mask(char* p, std::size_t n, const unsigned char* mask);

// Appends a client's frame, masked with `mask` (4 bytes, as they go on the wire): `first_byte`
// is FIN, the reserved bits and the opcode. Not used by the server, which never masks: by the
// load generator and by the tests and fuzzers that speak to the server as a client.
void append_client_frame(std::string& out, std::uint8_t first_byte, std::string_view payload, const unsigned char* mask);

// Appends one final, unmasked frame.
void append_frame(std::string& out, std::uint8_t opcode, std::string_view payload);
void append_close(std::string& out, std::uint16_t code, std::string_view reason);
// The code of a received close frame's payload: 1005 when it has none, 0 when it is malformed.
std::uint16_t close_code_of(std::string_view payload);

// Sec-WebSocket-Key: the base64 of 16 bytes.
bool valid_key(std::string_view key);
// Sec-WebSocket-Accept for a client's key: base64(SHA-1(key + the RFC's GUID)).
std::string accept_key(std::string_view key);

}  // namespace chat::server::ws
