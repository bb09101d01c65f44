// sentiment.cpp — a readable lexicon-based sentiment score, per language.
//
// Only anger and frustration matter to the bot (they send the conversation to a person,
// marked priority), so the lexicon is mostly negative words; positive words are there to be
// negated ("not happy", "pas satisfait"). A negator reaches the next three words; a negated
// positive word turns clearly negative, a negated negative word turns neutral. An
// intensifier multiplies the next sentiment word within two words by 1.5.
#include "sentiment.hpp"

namespace chat::bot::detail {

float sentiment(const Lexicon& lex, const Analysis& msg, const Normalised& raw) {
    float total = 0;
    int negation = 0;     // words the last negator still reaches
    int boost_left = 0;   // words the last intensifier still reaches
    for (const Word& w : msg.words) {
        if (!w.feeling) {
            if (negation > 0) --negation;
            if (boost_left > 0) --boost_left;
            continue;
        }
        const std::string_view s = msg.text(w);
        if (lex.negator.contains(s)) { negation = 3; continue; }
        const std::uint32_t i = lex.sentiment.find(s);
        const bool intensifier = lex.intensifier.contains(s);
        if (i == StrMap::npos || (intensifier && lex.sentiment_weight[i] > 0)) {
            // "super" / "so": an intensifier when it precedes another feeling word
            boost_left = 2;
            if (negation > 0) --negation;
            continue;
        }
        float v = lex.sentiment_weight[i] * (boost_left > 0 ? 1.5f : 1.0f);
        if (negation > 0) v = v > 0 ? -(v + 0.5f) : 0.0f;
        total += v;
        negation = 0;
        boost_left = 0;
    }
    if (total < 0 && raw.exclamations >= 2) total *= 1.25f;
    if (raw.letters >= 12 && raw.upper * 10 >= raw.letters * 7) total -= 1.0f;  // SHOUTING
    return total;
}

}  // namespace chat::bot::detail
