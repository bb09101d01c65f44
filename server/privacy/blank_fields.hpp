// blank_fields.hpp — erasing chosen string fields of one JSON Lines event in place.
//
// An erased text becomes `null` followed by spaces, exactly as long as the string it
// replaces: the line stays valid JSON (white space between tokens is allowed), keeps its
// length and its offset in the segment, and every other byte of it is untouched. This is
// what lets `chatd visitor erase` and retention remove texts without rewriting anybody
// else's history (docs/privacy.md). Pure: no files, no clocks.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace chat::privacy {

// Blanks the top-level members of the JSON object `line` whose key is one of `keys` and whose
// value is a string. Returns how many were blanked; 0 (and `line` unchanged) when none
// matched or `line` is not a well-formed single JSON object.
std::size_t blank_string_fields(std::string& line, std::initializer_list<std::string_view> keys);

}  // namespace chat::privacy
