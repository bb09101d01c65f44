// json_out.cpp — JSON string escaping for the direct writer, matching nlohmann's dump.
//
// UTF-8 is validated by simdjson (SIMD, a fraction of a cycle per byte) instead of byte by byte:
// bot answers in French are long and full of accented letters.
#include "json_out.hpp"

#include <array>
#include <cstring>

#include <simdjson.h>

namespace chat::router {

namespace {
constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHigh = 0x8080808080808080ull;
inline bool has_zero_byte(std::uint64_t v) { return ((v - kOnes) & ~v & kHigh) != 0; }
// Whether any of the 8 bytes in `w` must be escaped: below 0x20, '"' or '\\'. Bytes of 0x80
// and above never match (their complement lacks the high bit).
inline bool needs_escape(std::uint64_t w) {
    return ((w - 0x20 * kOnes) & ~w & kHigh) != 0 || has_zero_byte(w ^ (0x22 * kOnes)) || has_zero_byte(w ^ (0x5C * kOnes));
}

// Rare: text that is not valid UTF-8 is replaced by nlohmann exactly as it does everywhere else.
void append_replaced(std::string& out, std::size_t mark, std::string_view s) {
    out.resize(mark);
    out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Whether `s` is plain ASCII with nothing to escape (keys, ids, most texts): copied as it is.
bool plain(std::string_view s) {
    const char* p = s.data();
    const std::size_t n = s.size();
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, p + i, 8);
        if ((w & kHigh) != 0 || needs_escape(w)) return false;
    }
    for (; i < n; ++i) {
        const auto c = static_cast<unsigned char>(p[i]);
        if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) return false;
    }
    return true;
}
}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    if (plain(s)) {
        out.reserve(out.size() + s.size() + 2);
        out += '"';
        out += s;
        out += '"';
        return;
    }
    static constexpr char hex[] = "0123456789abcdef";
    const std::size_t mark = out.size();
    out.reserve(out.size() + s.size() + 2);
    out += '"';
    std::size_t run = 0;  // start of the bytes not yet copied
    std::size_t i = 0;
    std::size_t careful_until = 0;  // bytes below this are looked at one by one
    // Up to the first byte of 0x80 or above everything is ASCII; from there the rest is
    // validated as UTF-8 once (simdjson), then only the bytes to escape need looking at.
    bool utf8_checked = false;
    auto check_utf8 = [&](std::size_t from) {
        utf8_checked = true;
        return simdjson::validate_utf8(s.data() + from, s.size() - from);
    };
    while (i < s.size()) {
        if (i >= careful_until && i + 8 <= s.size()) {
            std::uint64_t w;
            std::memcpy(&w, s.data() + i, 8);
            if (!utf8_checked && (w & kHigh) != 0 && !check_utf8(i)) return append_replaced(out, mark, s);
            if (!needs_escape(w)) {
                i += 8;
                continue;
            }
            careful_until = i + 8;
        }
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            if (!utf8_checked && !check_utf8(i)) return append_replaced(out, mark, s);
            ++i;
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

std::string log_line(const nlohmann::json& e, std::string_view node, std::uint64_t seq) {
    // Sorted, as the object's own keys.
    const std::array<std::pair<std::string_view, int>, 3> extra{{{"node", 0}, {"seq", 1}, {"v", 2}}};
    std::size_t next = 0;
    std::string out;
    out.reserve(128 + node.size() + e.size() * 24);
    out += '{';
    auto sep = [&] {
        if (out.size() > 1) out += ',';
    };
    auto put_extra = [&](int which) {
        sep();
        switch (which) {
        case 0: out += "\"node\":"; append_json_string(out, node); break;
        case 1: out += "\"seq\":"; out += std::to_string(seq); break;
        default: out += "\"v\":1"; break;
        }
    };
    if (e.is_object()) {
        for (auto it = e.begin(); it != e.end(); ++it) {
            const std::string& k = it.key();
            while (next < extra.size() && extra[next].first < k) put_extra(extra[next++].second);
            if (next < extra.size() && extra[next].first == k) {
                put_extra(extra[next++].second);  // ours replaces the event's
                continue;
            }
            sep();
            append_json_string(out, k);
            out += ':';
            append_json_value(out, it.value());
        }
    }
    while (next < extra.size()) put_extra(extra[next++].second);
    out += '}';
    return out;
}
}  // namespace chat::router
