// analyse.hpp — from normalised tokens to the terms of one language's index.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kb.hpp"
#include "normalise.hpp"

namespace chat::bot::detail {

struct Word {
    std::uint32_t off, len;  // surface form (after SMS expansion / correction) in Analysis::buf
    TermId term;             // kNoTerm when unknown
    bool stop;               // carries no topic (stop word, or absorbed by a phrase)
    bool feeling;            // a sentiment word, negator or intensifier
};

// One message analysed for one language. Reused between messages.
struct Analysis {
    std::string buf;
    std::vector<Word> words;
    std::string tmp;
    int unknown = 0;  // content words the knowledge base does not know (typos beyond repair…)
    void clear() { buf.clear(); words.clear(); unknown = 0; }
    std::string_view text(const Word& w) const { return std::string_view(buf).substr(w.off, w.len); }
};

// Calls f(word) for each word a token stands for in this language ("pk" -> "pourquoi",
// "jsp" -> "je", "sais", "pas", "mdr" -> nothing).
template <class F> void expand_sms(const Lexicon& lex, std::string_view token, F&& f) {
    const std::uint32_t i = lex.sms.find(token);
    if (i == StrMap::npos) { f(token); return; }
    for (const std::string& w : lex.sms_to[i]) f(std::string_view(w));
}

// Digits only: an order number or a size. Never a topic word (patterns may still use it).
bool is_number(std::string_view w);

// Query side: maps words to known terms only (stems, synonyms, stretched letters undone,
// spelling corrected through the typo index, multi-word synonyms folded).
void analyse(const LangKB& kb, const Normalised& tokens, Analysis& out);

// Load side: the surface words of a knowledge-base text (normalised, SMS expanded).
std::vector<std::string> surface_words(const Lexicon& lex, std::string_view text);

}  // namespace chat::bot::detail
