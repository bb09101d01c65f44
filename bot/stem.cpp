// stem.cpp — deliberately light stemmers (plural, gender, common verb and noun endings).
//
// Retrieval over a few hundred example questions needs "livrée", "livrer" and "livrés" to
// meet, not linguistic truth; aggressive stemmers (Porter, Snowball) merge words shoppers
// keep apart. Irregular forms (reçu/recevoir, paid/pay) are joined by the synonyms in faq/.
// Stems only ever shrink, so the caller's buffer is reused and nothing is allocated.
#include "stem.hpp"

namespace chat::bot::detail {
namespace {

// The last letters first: most suffixes tried fail there, without a call to compare the rest.
bool ends(const char* w, std::size_t n, std::string_view suf) {
    return n >= suf.size() && w[n - 1] == suf.back() && std::string_view(w + n - suf.size(), suf.size()) == suf;
}
bool vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }
bool has_vowel(const char* w, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) if (vowel(w[i])) return true;
    return false;
}

std::size_t stem_fr(char* w, std::size_t n) {
    if (n <= 3) return n;
    // Singular words ending in s/x that would otherwise meet unrelated stems (pays / payer).
    static constexpr std::string_view keep[] = {"pays", "fois", "mois", "temps", "colis", "prix", "avis",
                                                "tapis", "repas", "corps", "souris", "jus", "bras", "dos"};
    for (std::string_view k : keep) if (std::string_view(w, n) == k) return n;
    if (ends(w, n, "aux") && n > 4) { w[n - 2] = 'l'; return n - 1; }  // chevaux -> cheval
    if ((w[n - 1] == 's' || w[n - 1] == 'x') && !ends(w, n, "ss")) --n;
    struct Rule { std::string_view suf; std::size_t keep; };
    static constexpr Rule rules[] = {
        {"issement", 4}, {"ement", 4}, {"ations", 4}, {"ation", 4}, {"atrice", 4}, {"ateur", 4},
        {"euse", 4}, {"ible", 4}, {"able", 4}, {"ique", 4}, {"iste", 4}, {"isme", 4},
        {"eront", 4}, {"erons", 4}, {"erez", 4}, {"erais", 4}, {"erait", 4}, {"erai", 4},
        {"era", 4}, {"ees", 3}, {"ee", 3}, {"es", 3}, {"er", 3}, {"ez", 3}, {"e", 3}, {"ir", 4}};
    for (const Rule& r : rules) {
        if (ends(w, n, r.suf) && n - r.suf.size() >= r.keep) return n - r.suf.size();
    }
    return n;
}

std::size_t stem_en(char* w, std::size_t n) {
    if (n <= 3) return n;
    const std::string_view word(w, n);
    if (word == "cookie" || word == "cookies") return 6;  // not "cook"
    if (ends(w, n, "sses")) n -= 2;
    else if (ends(w, n, "ies") && n > 4) return n - 3;  // deliveries -> deliver, like delivery
    else if (w[n - 1] == 's' && !ends(w, n, "ss") && !ends(w, n, "us") && !ends(w, n, "is")) --n;
    bool cut = false;
    if (ends(w, n, "ing") && n - 3 >= 3 && has_vowel(w, n - 3)) { n -= 3; cut = true; }
    else if (ends(w, n, "ed") && n - 2 >= 3 && has_vowel(w, n - 2)) { n -= 2; cut = true; }
    else if (ends(w, n, "ation") && n - 5 >= 4) { n -= 5; cut = true; }
    else if (ends(w, n, "ment") && n - 4 >= 4) { n -= 4; cut = true; }
    else if (ends(w, n, "ly") && n - 2 >= 4) { n -= 2; }
    if (cut && n >= 2 && w[n - 1] == w[n - 2] && !vowel(w[n - 1]) && w[n - 1] != 's') --n;
    if (n > 3 && (w[n - 1] == 'e' || (w[n - 1] == 'y' && n > 4))) --n;
    return n;
}

}  // namespace

std::size_t stem(Lang lang, char* word, std::size_t len) {
    return lang == Lang::fr ? stem_fr(word, len) : stem_en(word, len);
}

std::string stem(Lang lang, std::string_view word) {
    std::string w(word);
    w.resize(stem(lang, w.data(), w.size()));
    return w;
}

}  // namespace chat::bot::detail
