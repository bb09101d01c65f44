// faq_file.cpp — reads the line-oriented knowledge-base format (documented in docs/faq.md).
//
// A line-per-fact format is parsed by hand so that every error, including the semantic ones
// found later (an unknown {setting}, a quick reply to a missing topic, a pattern word that
// is not a word), can point at its exact line. This file only checks the shape; meaning is
// checked by kb_build.cpp.
#include "faq_file.hpp"

#include "settings.hpp"

namespace chat::bot::detail {
namespace {

bool valid_id(std::string_view id) {
    if (id.empty() || !(id[0] >= 'a' && id[0] <= 'z')) return false;
    for (char c : id) if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

constexpr std::string_view kFileKeys[] = {"lang", "syn", "text.fallback", "text.handoff", "text.suggest", "text.empty", "label.human"};
constexpr std::string_view kTopicKeys[] = {"label", "human", "answer", "reply", "q", "kw", "pattern"};

template <std::size_t N> bool one_of(std::string_view k, const std::string_view (&keys)[N]) {
    for (std::string_view x : keys) if (x == k) return true;
    return false;
}

}  // namespace

FaqFile parse_faq_file(const std::filesystem::path& path) {
    const TextFile f = read_text_file(path);
    FaqFile out;
    out.path = f.path;
    std::map<std::string, int> seen_topics;
    for (std::size_t i = 0; i < f.lines.size(); ++i) {
        const int ln = static_cast<int>(i + 1);
        const std::string_view line = trim(f.lines[i]);
        if (line.empty() || line.front() == '#') continue;
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) throw LoadError{out.path, ln, "expected 'key: value'"};
        const std::string key(trim(line.substr(0, colon)));
        const std::string_view value = trim(line.substr(colon + 1));
        if (value.empty()) throw LoadError{out.path, ln, "empty value for '" + key + "'"};
        const Line v{std::string(value), ln};
        if (key == "topic") {
            if (!valid_id(value)) throw LoadError{out.path, ln, "bad topic id '" + v.text + "' (use a-z, 0-9 and _)"};
            if (auto it = seen_topics.find(v.text); it != seen_topics.end())
                throw LoadError{out.path, ln, "topic '" + v.text + "' already defined at line " + std::to_string(it->second)};
            seen_topics.emplace(v.text, ln);
            out.topics.push_back(RawTopic{v.text, ln, {}, {}, {}, {}, {}, {}, {}});
            continue;
        }
        if (one_of(key, kFileKeys)) {
            if (key == "lang") {
                if (out.lang) throw LoadError{out.path, ln, "'lang' already given at line " + std::to_string(out.lang_line)};
                out.lang = parse_lang(value);
                if (!out.lang) throw LoadError{out.path, ln, "unsupported language '" + v.text + "' (fr or en)"};
                out.lang_line = ln;
            } else if (key == "syn") {
                out.synonyms.push_back(v);
            } else {
                if (auto it = out.texts.find(key); it != out.texts.end())
                    throw LoadError{out.path, ln, "'" + key + "' already given at line " + std::to_string(it->second.line)};
                out.texts.emplace(key, v);
            }
            continue;
        }
        if (!one_of(key, kTopicKeys)) throw LoadError{out.path, ln, "unknown key '" + key + "'"};
        if (out.topics.empty()) throw LoadError{out.path, ln, "'" + key + "' outside a topic (a 'topic:' line must come first)"};
        RawTopic& t = out.topics.back();
        if (key == "label" || key == "human") {
            Line& slot = key == "label" ? t.label : t.human;
            if (slot.line) throw LoadError{out.path, ln, "'" + key + "' already given for topic '" + t.id + "' at line " + std::to_string(slot.line)};
            slot = v;
        } else if (key == "answer") t.answer.push_back(v);
        else if (key == "reply") t.replies.push_back(v);
        else if (key == "q") t.questions.push_back(v);
        else if (key == "kw") t.keywords.push_back(v);
        else t.patterns.push_back(v);
    }
    if (!out.lang) throw LoadError{out.path, 1, "missing 'lang: fr' or 'lang: en' line"};
    return out;
}

}  // namespace chat::bot::detail
