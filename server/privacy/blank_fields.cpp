// blank_fields.cpp — a small scanner over one JSON object's top-level members.
//
// It only needs to find where each top-level value starts and ends; nested objects and
// arrays are skipped by depth, strings by their escapes. Anything it does not understand
// leaves the line unchanged.
#include "blank_fields.hpp"

#include <utility>
#include <vector>

namespace chat::privacy {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

void skip_ws(std::string_view s, std::size_t& i) {
    while (i < s.size() && is_ws(s[i])) ++i;
}

// s[i] == '"': moves i past the closing quote. False when the string is not closed.
bool skip_string(std::string_view s, std::size_t& i) {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
            continue;
        }
        if (s[i] == '"') {
            ++i;
            return true;
        }
        if (static_cast<unsigned char>(s[i]) < 0x20) return false;
    }
    return false;
}

// Skips one value of any kind (scalars up to the next ',' '}' ']' or white space).
bool skip_value(std::string_view s, std::size_t& i) {
    if (i >= s.size()) return false;
    if (s[i] == '"') return skip_string(s, i);
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        while (i < s.size()) {
            const char c = s[i];
            if (c == '"') {
                if (!skip_string(s, i)) return false;
                continue;
            }
            if (c == '{' || c == '[') ++depth;
            if (c == '}' || c == ']') {
                if (--depth == 0) {
                    ++i;
                    return true;
                }
            }
            ++i;
        }
        return false;
    }
    const std::size_t start = i;
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']' && !is_ws(s[i])) ++i;
    return i > start;
}

}  // namespace

std::size_t blank_string_fields(std::string& line, std::initializer_list<std::string_view> keys) {
    const std::string_view s(line);
    std::vector<std::pair<std::size_t, std::size_t>> spans;  // [begin, end) of string values to blank
    std::size_t i = 0;
    skip_ws(s, i);
    if (i >= s.size() || s[i] != '{') return 0;
    ++i;
    skip_ws(s, i);
    if (i < s.size() && s[i] == '}') return 0;
    while (true) {
        skip_ws(s, i);
        if (i >= s.size() || s[i] != '"') return 0;
        const std::size_t key_begin = i + 1;
        if (!skip_string(s, i)) return 0;
        const std::string_view key = s.substr(key_begin, i - 1 - key_begin);
        skip_ws(s, i);
        if (i >= s.size() || s[i] != ':') return 0;
        ++i;
        skip_ws(s, i);
        const std::size_t value_begin = i;
        if (!skip_value(s, i)) return 0;
        if (s[value_begin] == '"') {
            for (auto k : keys)
                if (k == key) spans.emplace_back(value_begin, i);
        }
        skip_ws(s, i);
        if (i >= s.size()) return 0;
        if (s[i] == ',') {
            ++i;
            continue;
        }
        if (s[i] != '}') return 0;
        ++i;
        break;
    }
    skip_ws(s, i);
    if (i != s.size()) return 0;  // something after the object: not one of our lines
    for (auto [b, e] : spans) {
        // A string is at least two bytes ("") and `null` is four: a shorter one cannot be
        // nulled in place, so it becomes "" padded instead, which holds nothing either.
        if (e - b >= 4) {
            line.replace(b, 4, "null");
            for (std::size_t k = b + 4; k < e; ++k) line[k] = ' ';
        } else {
            line[b] = '"';
            line[b + 1] = '"';
            for (std::size_t k = b + 2; k < e; ++k) line[k] = ' ';
        }
    }
    return spans.size();
}

}  // namespace chat::privacy
