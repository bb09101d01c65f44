// test_ws_codec.cpp — the visitor loop's RFC 6455 framing: client frames read and unmasked in
// place whatever their length form and wherever the bytes stop, frames that break the protocol
// refused, server frames in the shortest form, close codes and the handshake's accept value.
#include <catch2/catch.hpp>

#include <string>

#include "ws_codec.hpp"

using namespace chat::server;

namespace {
// A client frame as a browser sends it: masked with `mask`.
std::string client_frame(std::uint8_t first_byte, const std::string& payload, std::uint32_t mask = 0x37fa213d) {
    const unsigned char m[4] = {static_cast<unsigned char>(mask >> 24), static_cast<unsigned char>(mask >> 16),
                                static_cast<unsigned char>(mask >> 8), static_cast<unsigned char>(mask)};
    std::string f;
    ws::append_client_frame(f, first_byte, payload, m);
    return f;
}

std::string text_of(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) s += static_cast<char>('a' + i % 26);
    return s;
}
}  // namespace

TEST_CASE("client frames of every length form are read whole, unmasked in place, and only once whole") {
    for (std::size_t n : {0u, 1u, 7u, 8u, 125u, 126u, 1000u, 65535u, 65536u, 70000u}) {
        const std::string payload = text_of(n);
        const std::string wire = client_frame(0x81, payload) + client_frame(0x89, "p");
        // Every prefix shorter than the first frame asks for more.
        for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{5}, wire.size() / 3,
                                wire.size() - 7}) {
            if (cut >= wire.size() - 7) continue;
            std::string part = wire.substr(0, cut);
            ws::ClientFrame f;
            std::size_t used = 0;
            CHECK(ws::read_client_frame(part.data(), part.size(), 1 << 20, f, used) == ws::Read::need_more);
        }
        std::string buf = wire;
        ws::ClientFrame f;
        std::size_t used = 0;
        REQUIRE(ws::read_client_frame(buf.data(), buf.size(), 1 << 20, f, used) == ws::Read::frame);
        CHECK(f.fin);
        CHECK(f.opcode == ws::text);
        CHECK(f.payload == payload);
        CHECK(used == wire.size() - 7);
        // The next frame starts right after.
        REQUIRE(ws::read_client_frame(buf.data() + used, buf.size() - used, 1 << 20, f, used) == ws::Read::frame);
        CHECK(f.opcode == ws::ping);
        CHECK(f.payload == "p");
    }
}

TEST_CASE("client frames that break the protocol are refused, and a payload over the limit before it arrives") {
    auto read = [](std::string wire, std::size_t max = 1 << 20) {
        ws::ClientFrame f;
        std::size_t used = 0;
        return ws::read_client_frame(wire.data(), wire.size(), max, f, used);
    };
    std::string unmasked = "\x81\x02hi";
    CHECK(read(unmasked) == ws::Read::protocol_error);
    CHECK(read(client_frame(0xC1, "x")) == ws::Read::protocol_error);  // RSV1 without an extension
    CHECK(read(client_frame(0x83, "x")) == ws::Read::protocol_error);  // reserved opcode
    CHECK(read(client_frame(0x09, "x")) == ws::Read::protocol_error);  // a fragmented ping
    CHECK(read(client_frame(0x89, text_of(126))) == ws::Read::protocol_error);  // a control frame over 125
    // A length not in its shortest form.
    std::string longform = client_frame(0x81, text_of(200));
    longform[2] = 0;
    longform[3] = 5;
    CHECK(read(longform) == ws::Read::protocol_error);
    // Too big: refused from the header alone.
    const std::string big = client_frame(0x81, text_of(5000));
    CHECK(read(big.substr(0, 8), 4096) == ws::Read::too_big);
    CHECK(read(big, 5000) == ws::Read::frame);
}

TEST_CASE("server frames are final, unmasked and in the shortest length form") {
    for (std::size_t n : {0u, 125u, 126u, 65535u, 65536u}) {
        std::string out;
        ws::append_frame(out, ws::text, text_of(n));
        const std::size_t header = n < 126 ? 2 : n <= 0xffff ? 4 : 10;
        REQUIRE(out.size() == header + n);
        CHECK(static_cast<unsigned char>(out[0]) == 0x81);
        CHECK((static_cast<unsigned char>(out[1]) & 0x80) == 0);
        CHECK(out.substr(header) == text_of(n));
    }
    std::string close;
    ws::append_close(close, 1009, "message too big");
    CHECK(close == std::string("\x88\x11\x03\xf1message too big", 19));
    CHECK(ws::close_code_of(close.substr(2)) == 1009);
    CHECK(ws::close_code_of("") == 1005);
    CHECK(ws::close_code_of("x") == 0);
}

TEST_CASE("the handshake: keys are 16 bytes in base64, and the accept value is RFC 6455's") {
    CHECK(ws::accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");  // RFC 6455 §1.3
    CHECK(ws::valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
    CHECK_FALSE(ws::valid_key(""));
    CHECK_FALSE(ws::valid_key("dGhlIHNhbXBsZSBub25jZQ"));
    CHECK_FALSE(ws::valid_key("dGhlIHNhbXBsZSBub25j!Q=="));
    CHECK_FALSE(ws::valid_key("dGhlIHNhbXBsZSBub25jZQ==="));
}
