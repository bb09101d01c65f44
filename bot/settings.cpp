// settings.cpp — faq/settings.conf: one place for everything that differs between shops.
//
// Answers say "{free_shipping_threshold}" rather than "49 €", so another shop edits one file
// and every answer in both languages follows. A key may have per-language values
// (`hours.fr = …`, `hours.en = …`); the plain key serves both languages. Keys under `bot.`
// tune the bot itself (default language, fallbacks before handoff).
#include "settings.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

namespace chat::bot::detail {
namespace {

bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        int len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (len == 0 || (len == 2 && c < 0xC2) || i + len > s.size()) return false;
        for (int k = 1; k < len; ++k) if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
        i += len;
    }
    return true;
}

bool valid_key(std::string_view k) {
    if (k.empty()) return false;
    for (char c : k) if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
    return true;
}

}  // namespace

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

TextFile read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw LoadError{path.string(), 0, "cannot read the file"};
    TextFile f;
    f.path = path.string();
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (f.lines.empty() && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
        if (!valid_utf8(line)) throw LoadError{f.path, static_cast<int>(f.lines.size() + 1), "invalid UTF-8"};
        f.lines.push_back(std::move(line));
    }
    return f;
}

const Setting* Settings::find(std::string_view key, Lang lang) const {
    std::string k(key);
    k += '.';
    k += to_string(lang);
    if (auto it = values.find(k); it != values.end()) return &it->second;
    if (auto it = values.find(key); it != values.end()) return &it->second;
    return nullptr;
}

Settings load_settings(const std::filesystem::path& path) {
    const TextFile f = read_text_file(path);
    Settings s;
    s.file = f.path;
    for (std::size_t i = 0; i < f.lines.size(); ++i) {
        const int ln = static_cast<int>(i + 1);
        const std::string_view line = trim(f.lines[i]);
        if (line.empty() || line.front() == '#') continue;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos) throw LoadError{s.file, ln, "expected 'key = value'"};
        const std::string_view key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
        if (!valid_key(key)) throw LoadError{s.file, ln, "bad key '" + std::string(key) + "' (use a-z, 0-9, _ and .)"};
        if (value.empty()) throw LoadError{s.file, ln, "empty value for '" + std::string(key) + "'"};
        if (auto it = s.values.find(key); it != s.values.end())
            throw LoadError{s.file, ln, "'" + std::string(key) + "' already set at line " + std::to_string(it->second.line)};
        s.values.emplace(std::string(key), Setting{std::string(value), ln});
    }
    return s;
}

std::string substitute(const Settings& settings, Lang lang, std::string_view text, const std::string& file, int line,
                       std::vector<std::string>* used) {
    std::string out;
    out.reserve(text.size() + 32);
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (c == '}') throw LoadError{file, line, "'}' without '{'"};
        if (c != '{') { out.push_back(c); ++i; continue; }
        const std::size_t close = text.find('}', i + 1);
        if (close == std::string_view::npos) throw LoadError{file, line, "'{' without '}'"};
        const std::string_view key = text.substr(i + 1, close - i - 1);
        const Setting* s = settings.find(key, lang);
        if (!s || key.rfind("bot.", 0) == 0)
            throw LoadError{file, line, "unknown setting {" + std::string(key) + "} (not in " + settings.file + ")"};
        if (used) used->emplace_back(key);
        out += s->value;
        i = close + 1;
    }
    return out;
}

}  // namespace chat::bot::detail
