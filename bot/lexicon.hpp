// lexicon.hpp — the language knowledge that does not depend on the shop: stop words, words
// that reveal the language, SMS spellings, and the sentiment vocabulary.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "bot.hpp"
#include "strmap.hpp"

namespace chat::bot::detail {

// Built from static tables when a knowledge base loads; read-only afterwards.
struct Lexicon {
    Lang lang = Lang::fr;
    StrMap stop;          // words that carry no topic (articles, pronouns, auxiliaries…)
    StrMap marker;        // words that are typical of this language and not of the other
    StrMap sms;           // SMS spelling -> index into sms_to
    std::vector<std::vector<std::string>> sms_to;  // its expansion (possibly several words)
    StrMap negator;       // pas, jamais / not, never…
    StrMap intensifier;   // très, vraiment / very, really…
    StrMap sentiment;     // word -> index into sentiment_weight
    std::vector<float> sentiment_weight;  // < 0 angry/frustrated, > 0 pleased

    static Lexicon build(Lang lang);
    bool is_stop(std::string_view w) const { return stop.contains(w); }
    // A word the sentiment reading looks at: a sentiment word, a negator or an intensifier.
    bool is_feeling(std::string_view w) const { return sentiment.contains(w) || negator.contains(w) || intensifier.contains(w); }
};

}  // namespace chat::bot::detail
