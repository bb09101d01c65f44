// settings.hpp — the shop's own values (name, thresholds, hours…) and their substitution.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bot.hpp"

namespace chat::bot::detail {

// A file read as lines, with its path, for error messages that name file and line.
struct TextFile {
    std::string path;
    std::vector<std::string> lines;  // without line ends; a UTF-8 BOM is dropped
};
// Throws LoadError: unreadable file, or invalid UTF-8 (with the line).
TextFile read_text_file(const std::filesystem::path& path);

struct Setting {
    std::string value;
    int line = 0;
};

struct Settings {
    std::string file;
    std::map<std::string, Setting, std::less<>> values;  // "key" or "key.fr" / "key.en"

    // "key.<lang>" if present, else "key"; nullptr when neither exists.
    const Setting* find(std::string_view key, Lang lang) const;
};

// Parses `key = value` lines; throws LoadError on a malformed or repeated key.
Settings load_settings(const std::filesystem::path& path);

// Replaces every {key} in text; throws LoadError{file, line, …} naming an unknown key or an
// unclosed brace. Records the keys it used.
std::string substitute(const Settings& settings, Lang lang, std::string_view text, const std::string& file, int line,
                       std::vector<std::string>* used = nullptr);

std::string_view trim(std::string_view s);

}  // namespace chat::bot::detail
