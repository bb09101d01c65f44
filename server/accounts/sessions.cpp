// sessions.cpp — signing, opening and revoking session tokens (format in sessions.hpp).
#include "sessions.hpp"

#include <charconv>
#include <stdexcept>
#include <vector>

#include "identity.hpp"

namespace chat::accounts {
namespace {

constexpr std::string_view kVersion = "s1";
// Put before the signed text so that no other MAC made with the same secret (visitor
// tokens sign "visitor:…") can ever pass for a session's.
constexpr std::string_view kDomain = "chat-session|";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += kB64[(v >> 18) & 63], out += kB64[(v >> 12) & 63], out += kB64[(v >> 6) & 63], out += kB64[v & 63];
    }
    if (const std::size_t rest = in.size() - i; rest > 0) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
        out += kB64[(v >> 18) & 63], out += kB64[(v >> 12) & 63];
        if (rest == 2) out += kB64[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view in) {
    if (in.size() % 4 == 1) return std::nullopt;
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (char c : in) {
        int v;
        if (c >= 'A' && c <= 'Z') v = c - 'A';
        else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
        else if (c >= '0' && c <= '9') v = c - '0' + 52;
        else if (c == '-') v = 62;
        else if (c == '_') v = 63;
        else return std::nullopt;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    for (;;) {
        const auto at = s.find(sep);
        parts.push_back(s.substr(0, at));
        if (at == std::string_view::npos) return parts;
        s.remove_prefix(at + 1);
    }
}

template <class Int>
bool parse_int(std::string_view text, Int& out) {
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && p == text.data() + text.size() && !text.empty();
}

}  // namespace

SessionTokens::SessionTokens(std::string secret) : secret_(std::move(secret)) {
    if (secret_.size() < 16) throw std::invalid_argument("session tokens: the secret must be at least 16 bytes");
}

std::string SessionTokens::issue(const Account& account, std::int64_t now_ms, std::int64_t ttl_ms) const {
    if (ttl_ms <= 0) throw std::invalid_argument("session tokens: ttl_ms must be positive");
    validate_name(account.name);  // a name with '|' would make the claims ambiguous
    std::string claims = account.name;
    claims += '|';
    claims += role_name(account.role);
    claims += '|' + std::to_string(account.generation) + '|' + std::to_string(now_ms) + '|' +
              std::to_string(now_ms + ttl_ms) + '|' + chat::server::random_hex(16);
    std::string body = std::string(kVersion) + "." + base64url_encode(claims);
    const std::string mac = chat::server::hmac_sha256_hex(secret_, std::string(kDomain) + body);
    return body + "." + mac;
}

std::optional<SessionTokens::Claims> SessionTokens::open(std::string_view token) const {
    if (token.size() > kMaxTokenBytes) return std::nullopt;
    const auto dot = token.rfind('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const std::string_view body = token.substr(0, dot), mac = token.substr(dot + 1);
    if (body.substr(0, kVersion.size() + 1) != std::string(kVersion) + ".") return std::nullopt;
    const std::string expected = chat::server::hmac_sha256_hex(secret_, std::string(kDomain) + std::string(body));
    if (!chat::server::constant_time_equal(expected, mac)) return std::nullopt;

    // Past the MAC the text is ours, but it is still parsed defensively.
    const auto claims = base64url_decode(body.substr(kVersion.size() + 1));
    if (!claims) return std::nullopt;
    const auto f = split(*claims, '|');
    if (f.size() != 6) return std::nullopt;
    Claims c;
    c.name = std::string(f[0]);
    const auto role = parse_role(f[1]);
    if (!role || !parse_int(f[2], c.generation) || !parse_int(f[3], c.issued_ms) || !parse_int(f[4], c.expires_ms))
        return std::nullopt;
    c.role = *role;
    c.nonce = std::string(f[5]);
    if (c.nonce.empty()) return std::nullopt;
    return c;
}

std::optional<SessionInfo> SessionTokens::validate(std::string_view token, std::int64_t now_ms,
                                                   const AccountStore& store) const {
    const auto c = open(token);
    if (!c || now_ms >= c->expires_ms) return std::nullopt;
    {
        std::lock_guard lock(mu_);
        if (revoked_.count(c->nonce)) return std::nullopt;
    }
    const auto account = store.find(c->name);
    if (!account || account->generation != c->generation || account->role != c->role) return std::nullopt;
    return SessionInfo{c->name, c->role, c->expires_ms};
}

bool SessionTokens::revoke(std::string_view token, std::int64_t now_ms) {
    const auto c = open(token);
    std::lock_guard lock(mu_);
    std::erase_if(revoked_, [&](const auto& entry) { return entry.second <= now_ms; });
    if (!c || now_ms >= c->expires_ms) return false;
    revoked_.emplace(c->nonce, c->expires_ms);
    return true;
}

std::size_t SessionTokens::revoked_count() const {
    std::lock_guard lock(mu_);
    return revoked_.size();
}

}  // namespace chat::accounts
