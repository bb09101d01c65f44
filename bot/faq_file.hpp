// faq_file.hpp — one knowledge-base file (faq/<lang>.faq) parsed, not yet interpreted.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bot.hpp"
#include "kb.hpp"

namespace chat::bot::detail {

struct RawTopic {
    std::string id;
    int line = 0;
    Line label, human;
    std::vector<Line> answer, replies, questions, keywords, patterns;
};

struct FaqFile {
    std::string path;
    std::optional<Lang> lang;
    int lang_line = 0;
    std::map<std::string, Line> texts;  // text.fallback, text.handoff, text.suggest, text.empty, label.human
    std::vector<Line> synonyms;
    std::vector<RawTopic> topics;
};

// Syntax and structure: every line is `key: value`, keys are known, topic keys follow a
// `topic:` line, ids are well formed and unique. Throws LoadError{file, line, reason}.
FaqFile parse_faq_file(const std::filesystem::path& path);

}  // namespace chat::bot::detail
