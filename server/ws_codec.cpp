// ws_codec.cpp — RFC 6455 frames read and written (ws_codec.hpp says why they are here).
#include "ws_codec.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>

namespace chat::server::ws {

namespace {
bool is_control(std::uint8_t op) { return op >= 8; }
bool known(std::uint8_t op) { return op <= 2 || (op >= 8 && op <= 10); }

}  // namespace

void apply_mask(char* p, std::size_t n, const unsigned char* mask) {
    // Byte i is masked with mask byte i % 4: in memory order, eight bytes are two masks side by side.
    std::uint32_t m32;
    std::memcpy(&m32, mask, 4);
    const std::uint64_t m64 = (std::uint64_t(m32) << 32) | m32;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t v;
        std::memcpy(&v, p + i, 8);
        v ^= m64;
        std::memcpy(p + i, &v, 8);
    }
    for (; i < n; ++i) p[i] = static_cast<char>(p[i] ^ mask[i & 3]);
}

Read read_client_frame(char* data, std::size_t size, std::size_t max_payload, ClientFrame& frame, std::size_t& consumed) {
    if (size < 2) return Read::need_more;
    const auto* p = reinterpret_cast<const unsigned char*>(data);
    const bool fin = p[0] & 0x80;
    const std::uint8_t op = p[0] & 0x0f;
    if ((p[0] & 0x70) != 0 || !known(op)) return Read::protocol_error;  // no extension is negotiated
    if (!(p[1] & 0x80)) return Read::protocol_error;                     // clients must mask
    std::uint64_t len = p[1] & 0x7f;
    std::size_t header = 2;
    if (is_control(op) && (!fin || len > 125)) return Read::protocol_error;
    if (len == 126) {
        if (size < 4) return Read::need_more;
        len = (std::uint64_t(p[2]) << 8) | p[3];
        if (len < 126) return Read::protocol_error;  // not the shortest form
        header = 4;
    } else if (len == 127) {
        if (size < 10) return Read::need_more;
        len = 0;
        for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
        if (len <= 0xffff || (len >> 63)) return Read::protocol_error;
        header = 10;
    }
    if (len > max_payload) return Read::too_big;
    if (size - header < 4 + len) return Read::need_more;
    char* payload = data + header + 4;
    apply_mask(payload, static_cast<std::size_t>(len), p + header);
    frame.fin = fin;
    frame.opcode = op;
    frame.payload = std::string_view(payload, static_cast<std::size_t>(len));
    consumed = header + 4 + static_cast<std::size_t>(len);
    return Read::frame;
}

void append_frame(std::string& out, std::uint8_t opcode, std::string_view payload) {
    const std::size_t n = payload.size();
    char h[10];
    std::size_t hn = 2;
    h[0] = static_cast<char>(0x80 | opcode);
    if (n < 126) {
        h[1] = static_cast<char>(n);
    } else if (n <= 0xffff) {
        h[1] = 126;
        h[2] = static_cast<char>(n >> 8);
        h[3] = static_cast<char>(n & 0xff);
        hn = 4;
    } else {
        h[1] = 127;
        for (int i = 0; i < 8; ++i) h[2 + i] = static_cast<char>((std::uint64_t(n) >> (8 * (7 - i))) & 0xff);
        hn = 10;
    }
    out.append(h, hn);
    out.append(payload);
}

void append_client_frame(std::string& out, std::uint8_t first_byte, std::string_view payload, const unsigned char* mask) {
    const std::size_t n = payload.size();
    unsigned char head[14];
    std::size_t h = 0;
    head[h++] = first_byte;
    if (n < 126) {
        head[h++] = static_cast<unsigned char>(0x80 | n);
    } else if (n <= 0xffff) {
        head[h++] = 0x80 | 126;
        head[h++] = static_cast<unsigned char>(n >> 8);
        head[h++] = static_cast<unsigned char>(n);
    } else {
        head[h++] = 0x80 | 127;
        for (int shift = 56; shift >= 0; shift -= 8) head[h++] = static_cast<unsigned char>(static_cast<std::uint64_t>(n) >> shift);
    }
    std::memcpy(head + h, mask, 4);
    h += 4;
    const std::size_t at = out.size();
    out.resize(at + h + n);
    char* p = out.data() + at;
    std::memcpy(p, head, h);
    p += h;
    std::memcpy(p, payload.data(), n);
    apply_mask(p, n, mask);
}

void append_close(std::string& out, std::uint16_t code, std::string_view reason) {
    std::string body;
    body += static_cast<char>(code >> 8);
    body += static_cast<char>(code & 0xff);
    body.append(reason.substr(0, 123));
    append_frame(out, close, body);
}

std::uint16_t close_code_of(std::string_view payload) {
    if (payload.empty()) return 1005;
    if (payload.size() == 1) return 0;
    return static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]));
}

bool valid_key(std::string_view key) {
    if (key.size() != 24 || key.substr(22) != "==") return false;
    unsigned char raw[18];
    return EVP_DecodeBlock(raw, reinterpret_cast<const unsigned char*>(key.data()), 24) == 18;
}

std::string accept_key(std::string_view key) {
    static constexpr std::string_view guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    std::string joined;
    joined.reserve(key.size() + guid.size());
    joined.append(key).append(guid);
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), digest);
    unsigned char b64[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
    const int n = EVP_EncodeBlock(b64, digest, SHA_DIGEST_LENGTH);
    return std::string(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
}

}  // namespace chat::server::ws
