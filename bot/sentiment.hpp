// sentiment.hpp — does the visitor sound angry or frustrated?
#pragma once

#include "analyse.hpp"
#include "lexicon.hpp"
#include "normalise.hpp"

namespace chat::bot::detail {

inline constexpr float kAngryBelow = -2.0f;  // at or below: hand off, conversation is priority

// Sum of word polarities with negation ("pas content" is negative, "pas de problème" is not)
// and intensifiers ("vraiment nul" weighs more), made stronger by "!!" and SHOUTING.
float sentiment(const Lexicon& lex, const Analysis& msg, const Normalised& raw);

}  // namespace chat::bot::detail
