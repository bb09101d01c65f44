// json_out.cpp — JSON string escaping for the direct writer, matching nlohmann's dump.
#include "json_out.hpp"

#include <cstring>

namespace chat::router {

namespace {
// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid (overlong
// forms, surrogates and code points past U+10FFFF are not valid, as for nlohmann).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    const std::size_t left = s.size() - i;
    auto cont = [&](std::size_t k) { return (b(k) & 0xC0) == 0x80; };
    if (c >= 0xC2 && c <= 0xDF) return left >= 2 && cont(i + 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || !cont(i + 1) || !cont(i + 2)) return 0;
        if (c == 0xE0 && b(i + 1) < 0xA0) return 0;   // overlong
        if (c == 0xED && b(i + 1) > 0x9F) return 0;   // surrogate
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || !cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return 0;
        if (c == 0xF0 && b(i + 1) < 0x90) return 0;   // overlong
        if (c == 0xF4 && b(i + 1) > 0x8F) return 0;   // past U+10FFFF
        return 4;
    }
    return 0;
}

}  // namespace

namespace {
// Whether any of the 8 bytes in `w` is below 0x20, '"', '\\' or not ASCII (SWAR test).
inline bool needs_care(std::uint64_t w) {
    constexpr std::uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    auto has_zero = [&](std::uint64_t v) { return ((v - ones) & ~v & high) != 0; };
    return (w & high) != 0 || ((w - 0x20 * ones) & ~w & high) != 0 || has_zero(w ^ (0x22 * ones)) || has_zero(w ^ (0x5C * ones));
}
}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    const std::size_t mark = out.size();
    out.reserve(out.size() + s.size() + 2);
    out += '"';
    std::size_t run = 0;  // start of the bytes not yet copied
    std::size_t i = 0;
    std::size_t careful_until = 0;  // bytes below this are looked at one by one
    while (i < s.size()) {
        if (i >= careful_until && i + 8 <= s.size()) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if (!needs_care(w)) {
                i += 8;
                continue;
            }
            careful_until = i + 8;
        }
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const std::size_t n = utf8_sequence(s, i);
            if (n == 0) {
                // Rare: let nlohmann replace the bad bytes exactly as it does everywhere else.
                out.resize(mark);
                out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                return;
            }
            i += n;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            ++i;
            continue;
        }
        out.append(s.data() + run, i - run);
        run = ++i;
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    out.append(s.data() + run, s.size() - run);
    out += '"';
}

void append_json_value(std::string& out, const nlohmann::json& v) {
    if (v.is_string()) {
        append_json_string(out, v.get_ref<const std::string&>());
    } else if (v.is_number_integer()) {
        char buf[24];
        auto r = v.is_number_unsigned() ? std::to_chars(buf, buf + sizeof buf, v.get<std::uint64_t>())
                                        : std::to_chars(buf, buf + sizeof buf, v.get<std::int64_t>());
        out.append(buf, r.ptr);
    } else if (v.is_null()) {
        out += "null";
    } else if (v.is_boolean()) {
        out += v.get<bool>() ? "true" : "false";
    } else if (v.is_array()) {
        out += '[';
        bool first = true;
        for (const auto& item : v) {
            if (!first) out += ',';
            first = false;
            append_json_value(out, item);
        }
        out += ']';
    } else if (v.is_object()) {
        out += '{';
        bool first = true;
        for (auto it = v.begin(); it != v.end(); ++it) {
            if (!first) out += ',';
            first = false;
            append_json_string(out, it.key());
            out += ':';
            append_json_value(out, it.value());
        }
        out += '}';
    } else {  // numbers with a fraction: nlohmann's own formatting
        out += v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
}

JsonOut& JsonOut::value(std::string_view key, const nlohmann::json& v) {
    name(key);
    append_json_value(out_, v);
    return *this;
}

}  // namespace chat::router
