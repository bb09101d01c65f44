// stem.hpp — light suffix stripping for French and English.
#pragma once

#include <string>
#include <string_view>

#include "bot.hpp"

namespace chat::bot::detail {

// Stems an accent-free lower-case word in place; returns the new length (never grows).
std::size_t stem(Lang lang, char* word, std::size_t len);
std::string stem(Lang lang, std::string_view word);

}  // namespace chat::bot::detail
