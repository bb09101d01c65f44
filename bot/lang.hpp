// lang.hpp — is this message French or English?
#pragma once

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

}  // namespace chat::bot::detail
