// ws_frames.cpp — writing masked client frames and reading server frames (RFC 6455 §5.2), and
// the upgrade's key and accept value (§4).
#include "ws_frames.hpp"

#include <cstring>
#include <stdexcept>

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace chat::bench::ws {

void append_frame(std::string& out, Opcode op, std::string_view payload, std::uint32_t mask) {
    // The key's bytes in memory order are the bytes on the wire.
    chat::server::ws::append_client_frame(out, static_cast<std::uint8_t>(0x80 | op), payload, reinterpret_cast<const unsigned char*>(&mask));
}

Parse parse(std::string_view in, std::uint64_t max_payload, Frame& f, std::size_t& used) {
    const auto* b = reinterpret_cast<const unsigned char*>(in.data());
    if (in.size() < 2) return Parse::need_more;
    const bool fin = b[0] & 0x80;
    const unsigned op = b[0] & 0x0f;
    if (b[0] & 0x70) return Parse::bad;  // no extension was negotiated
    if (b[1] & 0x80) return Parse::bad;  // a server never masks
    if (op != continuation && op != text && op != binary && op != close && op != ping && op != pong) return Parse::bad;
    std::uint64_t len = b[1] & 0x7f;
    std::size_t h = 2;
    if (op >= close && (!fin || len > 125)) return Parse::bad;
    if (len == 126) {
        if (in.size() < 4) return Parse::need_more;
        len = (std::uint64_t{b[2]} << 8) | b[3];
        h = 4;
    } else if (len == 127) {
        if (in.size() < 10) return Parse::need_more;
        len = 0;
        for (int k = 2; k < 10; ++k) len = (len << 8) | b[k];
        h = 10;
    }
    if (len > max_payload) return Parse::bad;
    if (in.size() - h < len) return Parse::need_more;
    f.fin = fin;
    f.op = static_cast<Opcode>(op);
    f.payload = in.substr(h, static_cast<std::size_t>(len));
    used = h + static_cast<std::size_t>(len);
    return Parse::frame;
}

namespace {
std::string base64(const unsigned char* bytes, int n) {
    std::string out(static_cast<std::size_t>(4 * ((n + 2) / 3)), '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, n);
    out.resize(static_cast<std::size_t>(len));
    return out;
}
}  // namespace

std::string make_key() {
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("RAND_bytes failed");
    return base64(raw, sizeof raw);
}

}  // namespace chat::bench::ws
