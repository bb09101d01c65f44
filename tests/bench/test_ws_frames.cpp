// test_ws_frames.cpp — chat-bench's WebSocket framing against RFC 6455: the masked frames it
// writes (every length form, the mask applied to every byte whatever the length), and the
// server frames it reads (whole, cut anywhere, and each protocol violation refused).
#include <catch2/catch.hpp>

#include <string>

#include "ws_frames.hpp"

using namespace chat::bench;

namespace {

std::string payload_of(std::size_t n) {
    std::string s(n, '\0');
    for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}

// A server frame: unmasked, final unless told.
std::string server_frame(unsigned op, const std::string& payload, bool fin = true) {
    std::string f;
    f.push_back(static_cast<char>((fin ? 0x80 : 0) | op));
    const std::size_t n = payload.size();
    if (n < 126) {
        f.push_back(static_cast<char>(n));
    } else if (n <= 0xffff) {
        f.push_back(126);
        f.push_back(static_cast<char>(n >> 8));
        f.push_back(static_cast<char>(n));
    } else {
        f.push_back(127);
        for (int s = 56; s >= 0; s -= 8) f.push_back(static_cast<char>(static_cast<std::uint64_t>(n) >> s));
    }
    return f + payload;
}

}  // namespace

TEST_CASE("client frames: final, masked, the length in its shortest form, every byte masked") {
    const std::uint32_t mask = 0xa1b2c3d4;
    for (std::size_t n : {0, 1, 7, 8, 9, 125, 126, 127, 1000, 65535, 65536, 70001}) {
        const std::string payload = payload_of(n);
        std::string out = "prefix";  // appended after what is there
        ws::append_frame(out, ws::text, payload, mask);
        REQUIRE(out.compare(0, 6, "prefix") == 0);
        const auto* b = reinterpret_cast<const unsigned char*>(out.data()) + 6;
        CHECK(b[0] == 0x81);         // FIN, text
        CHECK((b[1] & 0x80) != 0);   // masked
        std::size_t h = 2;
        if (n < 126) {
            CHECK((b[1] & 0x7f) == n);
        } else if (n <= 0xffff) {
            CHECK((b[1] & 0x7f) == 126);
            CHECK(((std::size_t{b[2]} << 8) | b[3]) == n);
            h = 4;
        } else {
            CHECK((b[1] & 0x7f) == 127);
            std::uint64_t len = 0;
            for (int k = 2; k < 10; ++k) len = (len << 8) | b[k];
            CHECK(len == n);
            h = 10;
        }
        REQUIRE(out.size() == 6 + h + 4 + n);
        const unsigned char* key = b + h;
        std::string unmasked(n, '\0');
        for (std::size_t i = 0; i < n; ++i) unmasked[i] = static_cast<char>(b[h + 4 + i] ^ key[i % 4]);
        CHECK(unmasked == payload);
        if (n >= 4) CHECK(std::string(reinterpret_cast<const char*>(b + h + 4), n) != payload);
    }
}

TEST_CASE("client control frames carry their opcode") {
    std::string out;
    ws::append_frame(out, ws::pong, "abc", 0x01020304);
    ws::append_frame(out, ws::close, std::string("\x03\xe8", 2), 0x05060708);
    const auto* b = reinterpret_cast<const unsigned char*>(out.data());
    CHECK(b[0] == 0x8a);
    CHECK(b[1] == (0x80 | 3));
    CHECK(b[9] == 0x88);
    CHECK(b[10] == (0x80 | 2));
}

TEST_CASE("server frames: read whole in each length form, and only once whole") {
    for (std::size_t n : {0, 5, 125, 126, 65535, 65536, 100000}) {
        const std::string payload = payload_of(n);
        const std::string wire = server_frame(ws::text, payload) + "next";
        ws::Frame f;
        std::size_t used = 0;
        REQUIRE(ws::parse(wire, 1 << 20, f, used) == ws::Parse::frame);
        CHECK(f.fin);
        CHECK(f.op == ws::text);
        CHECK(f.payload == payload);
        CHECK(used == wire.size() - 4);
        // Cut anywhere before its end, it asks for more.
        for (std::size_t cut : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{3}, used / 2, used - 1})
            if (cut < used) CHECK(ws::parse(std::string_view(wire).substr(0, cut), 1 << 20, f, used) == ws::Parse::need_more);
    }
}

TEST_CASE("server frames: fragments and control frames are told apart") {
    ws::Frame f;
    std::size_t used = 0;
    const std::string first = server_frame(ws::text, "par", false), last = server_frame(ws::continuation, "t"),
                      ping = server_frame(ws::ping, "hi");  // the payloads point into these
    REQUIRE(ws::parse(first, 100, f, used) == ws::Parse::frame);
    CHECK_FALSE(f.fin);
    CHECK(f.payload == "par");
    REQUIRE(ws::parse(last, 100, f, used) == ws::Parse::frame);
    CHECK(f.fin);
    CHECK(f.op == ws::continuation);
    REQUIRE(ws::parse(ping, 100, f, used) == ws::Parse::frame);
    CHECK(f.op == ws::ping);
    CHECK(f.payload == "hi");
}

TEST_CASE("server frames that break the protocol are refused") {
    ws::Frame f;
    std::size_t used = 0;
    std::string masked = server_frame(ws::text, "abcd");
    masked[1] = static_cast<char>(masked[1] | 0x80);
    CHECK(ws::parse(masked, 100, f, used) == ws::Parse::bad);
    std::string rsv = server_frame(ws::text, "x");
    rsv[0] = static_cast<char>(rsv[0] | 0x40);  // compression was not negotiated
    CHECK(ws::parse(rsv, 100, f, used) == ws::Parse::bad);
    CHECK(ws::parse(server_frame(3, "x"), 100, f, used) == ws::Parse::bad);                   // reserved opcode
    CHECK(ws::parse(server_frame(ws::ping, "x", false), 100, f, used) == ws::Parse::bad);     // fragmented control
    CHECK(ws::parse(server_frame(ws::ping, payload_of(126)), 1000, f, used) == ws::Parse::bad);  // control over 125
    CHECK(ws::parse(server_frame(ws::text, payload_of(101)), 100, f, used) == ws::Parse::bad);   // over the limit
    // Over the limit is known from the header alone, before the payload arrives.
    CHECK(ws::parse(server_frame(ws::text, payload_of(70000)).substr(0, 10), 1000, f, used) == ws::Parse::bad);
}

TEST_CASE("the upgrade's key is 16 random bytes in base64, and the accept value is RFC 6455's") {
    // The worked example of RFC 6455 §1.3.
    CHECK(ws::accept_for("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    CHECK(ws::accept_for("x3JJHMbDL1EzLkh9GBhXDw==") == "HSmrc0sMlYUkAGmm5OPpG2HaGWk=");
    const std::string a = ws::make_key(), b = ws::make_key();
    CHECK(a.size() == 24);  // 16 bytes: 22 base64 digits and "=="
    CHECK(a.substr(22) == "==");
    CHECK(a != b);
}
