// json_out.cpp — JSON string escaping for the direct writer, matching nlohmann's dump.
//
// UTF-8 is validated by simdjson (SIMD, a fraction of a cycle per byte) instead of byte by byte:
// bot answers in French are long and full of accented letters. The bytes to escape are found
// 16 at a time with SSE2.
#include "json_out.hpp"

#include <array>
#include <cmath>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <simdjson.h>

namespace chat::router {

namespace {
inline bool escaped(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

#if defined(__SSE2__)
// 16 bytes at a time (SSE2, every x86-64 has it): the bit of each byte that must be escaped
// (below 0x20, '"' or '\\'), and the bit of each byte that is not plain ASCII to copy as it is
// (those, or 0x80 and above: a signed compare below 0x20 catches both ranges at once).
inline unsigned mask_with_quotes(__m128i v, __m128i others) {
    const __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    const __m128i bslash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(others, _mm_or_si128(quote, bslash))));
}
inline unsigned escape_mask(__m128i v) {
    return mask_with_quotes(v, _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1F)), v));
}
inline unsigned special_mask(__m128i v) { return mask_with_quotes(v, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20))); }
#endif

// The first byte at or after `i` that is not plain ASCII (s.size() when there is none).
std::size_t first_special(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
    for (; i + 16 <= s.size(); i += 16) {
        const unsigned m = special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i)));
        if (m) return i + static_cast<std::size_t>(__builtin_ctz(m));
    }
    if (i < s.size() && s.size() >= 16) {  // the last 1 to 15 bytes, in the 16 that end the string
        const std::size_t last = s.size() - 16;
        const unsigned m = special_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + last))) >> (i - last);
        return m ? i + static_cast<std::size_t>(__builtin_ctz(m)) : s.size();
    }
    if (i == 0 && s.size() >= 8 && s.size() < 16) {  // ids, types: the first 8 bytes and the last 8
        std::uint64_t head, tail;
        std::memcpy(&head, s.data(), 8);
        std::memcpy(&tail, s.data() + s.size() - 8, 8);
        const unsigned m = special_mask(_mm_set_epi64x(static_cast<long long>(tail), static_cast<long long>(head)));
        if (m & 0xFFu) return static_cast<std::size_t>(__builtin_ctz(m));
        return m ? s.size() - 16 + static_cast<std::size_t>(__builtin_ctz(m)) : s.size();
    }
#endif
    // Shorter than 8 bytes, or without SSE2: byte by byte.
    for (; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (escaped(c) || c >= 0x80) return i;
    }
    return i;
}
// The first byte at or after `i` to escape (s.size() when there is none).
std::size_t next_escape(std::string_view s, std::size_t i) {
#if defined(__SSE2__)
    for (; i + 16 <= s.size(); i += 16) {
        const unsigned m = escape_mask(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i)));
        if (m) return i + static_cast<std::size_t>(__builtin_ctz(m));
    }
#endif
    for (; i < s.size(); ++i)
        if (escaped(static_cast<unsigned char>(s[i]))) return i;
    return i;
}

// Rare: text that is not valid UTF-8 is replaced by nlohmann exactly as it does everywhere else.
void append_replaced(std::string& out, std::string_view s) {
    out += nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void append_quoted(std::string& out, std::string_view s) {
    const std::size_t n = out.size();
    out.resize(n + s.size() + 2);
    char* p = out.data() + n;
    p[0] = '"';
    std::memcpy(p + 1, s.data(), s.size());
    p[s.size() + 1] = '"';
}
}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    std::size_t i = first_special(s, 0);
    if (i == s.size()) return append_quoted(out, s);  // keys, ids, most texts
    // Everything before `i` is plain ASCII; the rest is validated as UTF-8 once (simdjson),
    // then only the bytes to escape need looking at.
    if (!simdjson::validate_utf8(s.data() + i, s.size() - i)) return append_replaced(out, s);
    static constexpr char hex[] = "0123456789abcdef";
    out.reserve(out.size() + s.size() + 8);
    out += '"';
    std::size_t run = 0;  // start of the bytes not yet copied
    while ((i = next_escape(s, i)) < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
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

void JsonOut::grow(std::size_t more) {
    const std::size_t want = n_ + more;
    out_.resize(want > 2 * out_.size() ? want : 2 * out_.size());
}

// The rare writers that append to a std::string (escapes, nlohmann's values) write at the end
// of what is written so far; the buffer is then sized ahead again.
template <class Append>
void JsonOut::through_string(Append&& append) {
    out_.resize(n_);
    append(out_);
    n_ = out_.size();
    out_.resize(out_.capacity() > n_ + 64 ? out_.capacity() : n_ + 64);
}

void JsonOut::string_value(std::string_view s) {
    if (first_special(s, 0) == s.size()) {  // keys, ids, most texts: copied between quotes
        room(s.size() + 2);
        char* p = out_.data() + n_;
        p[0] = '"';
        std::memcpy(p + 1, s.data(), s.size());
        p[s.size() + 1] = '"';
        n_ += s.size() + 2;
        return;
    }
    through_string([&](std::string& out) { append_json_string(out, s); });
}

JsonOut& JsonOut::fraction(std::string_view key, double v) {
    name(key);
    if (!std::isfinite(v)) {
        put("null");
        return *this;
    }
    room(64);  // nlohmann's own number buffer is as long
    char* p = out_.data() + n_;
    n_ = static_cast<std::size_t>(nlohmann::detail::to_chars(p, p + 64, v) - out_.data());
    return *this;
}

JsonOut& JsonOut::value(std::string_view key, const nlohmann::json& v) {
    name(key);
    through_string([&](std::string& out) { append_json_value(out, v); });
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
