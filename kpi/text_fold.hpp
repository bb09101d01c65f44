// text_fold.hpp — the key under which unanswered visitor questions are grouped.
//
// event-log.md: "grouped by its text lower-cased with runs of white space folded to one space
// and trimmed". Lower-casing is Unicode simple case mapping for the scripts a shop's visitors
// write in (Latin with its extensions, Greek, Cyrillic); white space is Unicode White_Space
// plus the ASCII separators U+001C..U+001F, the set Python's str.split() uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace chat::kpi {

// `in` is valid UTF-8. `out` receives the folded text.
void fold_text(std::string_view in, std::string& out);

// Appends code point `cp` to `out`, UTF-8 encoded (also used to unescape \uXXXX in the parser).
void put_utf8(std::string& out, std::uint32_t cp);

}  // namespace chat::kpi
