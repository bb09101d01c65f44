// lang.hpp — is this message French or English?
#pragma once

#include <cstdint>
#include <optional>

#include "kb.hpp"
#include "normalise.hpp"

namespace chat::bot::detail {

struct LangGuess {
    Lang lang;
    float margin;  // evidence for the winner minus evidence for the other; 0 = no idea
};

// Per message, from language-typical words (stop words, SMS forms, the knowledge base's own
// vocabulary), accents, elisions and contractions. Ties go to the conversation's language,
// then to the shop's default.
LangGuess detect_lang(const KnowledgeBase& kb, const Normalised& tokens, std::optional<Lang> conversation);

// What KnowledgeBase::lang_evidence holds for a word.
enum LangEvidence : std::uint32_t {
    fr_marker = 1,   // a French marker or SMS form
    en_marker = 2,   // an English one
    fr_surface = 4,  // a word of the French knowledge base or lexicon
    en_surface = 8,  // of the English one
};
// Fills kb.lang_evidence from both languages' lexicons and surface words, once both are built.
void build_lang_evidence(KnowledgeBase& kb);

}  // namespace chat::bot::detail
