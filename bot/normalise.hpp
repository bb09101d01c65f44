// normalise.hpp — turns raw visitor text into lower-case, accent-free word tokens.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bot::detail {

// Only this much of a message is read: a shopper's question fits in far less, and a 1 MB
// paste must cost no more than a normal message.
inline constexpr std::size_t kMaxTextBytes = 4096;
inline constexpr std::size_t kMaxTokens = 160;

// Tokens of one message. Reused between messages (clear() keeps the capacity).
struct Normalised {
    std::string buf;                                    // token bytes, back to back
    std::vector<std::pair<std::uint32_t, std::uint32_t>> spans;  // offset, length into buf
    int accented = 0;      // letters that carried a diacritic (a hint of French)
    int elisions = 0;      // l', j', qu'… seen (French)
    int contractions = 0;  // n't, 'm, 're… seen (English)
    int exclamations = 0;  // '!' count
    int upper = 0, letters = 0;  // for SHOUTING

    void clear() {
        buf.clear(); spans.clear();
        accented = elisions = contractions = exclamations = upper = letters = 0;
    }
    std::size_t size() const { return spans.size(); }
    std::string_view operator[](std::size_t i) const {
        return std::string_view(buf).substr(spans[i].first, spans[i].second);
    }
};

// Lower-cases, folds accents (é→e, œ→oe, ß→ss), splits on anything that is not a letter or
// digit, expands elisions (l'adresse → le adresse, qu'il → que il) and English contractions
// (don't → do not, I'm → i am), and squeezes runs of 3+ identical letters to two
// ("merciiii" → "mercii"; the analyser finishes the job against the vocabulary).
// Invalid UTF-8 bytes and symbols (emoji…) act as separators.
void normalise(std::string_view text, Normalised& out);

// Convenience for tests and the loader: the tokens as strings.
std::vector<std::string> normalise_words(std::string_view text);

// Removes one letter of the first doubled pair ("mercii" → "merci"), returning false when the
// word has no doubled letter. Used to undo stretched words ("heeelp").
bool squeeze_double(std::string& word, std::size_t from = 0);

}  // namespace chat::bot::detail
