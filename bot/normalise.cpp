// normalise.cpp — the first step of every message: bytes to plain word tokens.
//
// Everything language-independent about spelling lives here: UTF-8 decoding that tolerates
// garbage, case and accent folding (shoppers type "ou est ma commande" as often as "où est
// ma commande"), apostrophes (’ ‘ ` ´ ʼ all count as '), French elisions and English
// contractions, and stretched letters. Language-specific rewriting (SMS spellings, stop
// words, stems, synonyms) happens later, once the language is known (see analyse.cpp).
#include "normalise.hpp"

#include <array>

namespace chat::bot::detail {
namespace {

// Folding of U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A) to ASCII.
const char* fold_latin(char32_t c) {
    static constexpr std::array<const char*, 64> latin1 = {
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "ss",
        "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
        "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "th", "y"};
    if (c >= 0xC0 && c <= 0xFF) return latin1[c - 0xC0];
    if (c < 0x100 || c > 0x17F) return nullptr;
    struct Range { char32_t lo, hi; const char* to; };
    static constexpr Range ext[] = {
        {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
        {0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"},
        {0x134, 0x135, "j"}, {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"},
        {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"}, {0x154, 0x159, "r"}, {0x15A, 0x161, "s"},
        {0x162, 0x167, "t"}, {0x168, 0x173, "u"}, {0x174, 0x175, "w"}, {0x176, 0x178, "y"},
        {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"}};
    for (const Range& r : ext) if (c >= r.lo && c <= r.hi) return r.to;
    return nullptr;
}

bool is_upper_cp(char32_t c) {
    return (c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7) ||
           (c >= 0x100 && c <= 0x17F && (c % 2 == 0));
}

bool is_apostrophe(char32_t c) {
    return c == '\'' || c == 0x2019 || c == 0x2018 || c == '`' || c == 0xB4 || c == 0x2BC;
}

// Decodes one code point; on an invalid or truncated sequence consumes one byte and
// returns U+FFFD so that it acts as a separator.
char32_t next_cp(std::string_view s, std::size_t& i) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) { ++i; return b0; }
    int len = 0; char32_t cp = 0;
    if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
    else { ++i; return 0xFFFD; }
    if (i + len > s.size()) { ++i; return 0xFFFD; }
    for (int k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) { ++i; return 0xFFFD; }
        cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) { ++i; return 0xFFFD; }
    i += len;
    return cp;
}

struct French { std::string_view elided, full; };
constexpr French kElisions[] = {
    {"l", "le"}, {"j", "je"}, {"d", "de"}, {"n", "ne"}, {"s", "se"}, {"m", "me"}, {"t", "te"},
    {"c", "ce"}, {"qu", "que"}, {"jusqu", "jusque"}, {"lorsqu", "lorsque"},
    {"puisqu", "puisque"}, {"quoiqu", "quoique"}, {"presqu", "presque"}};

struct English { std::string_view suffix, full; };
constexpr English kContractions[] = {
    {"m", "am"}, {"re", "are"}, {"ve", "have"}, {"ll", "will"}, {"d", "would"}, {"s", "is"}};

class Emitter {
public:
    explicit Emitter(Normalised& out) : out_(out) {}
    void emit(std::string_view w) {
        if (w.empty() || out_.spans.size() >= kMaxTokens) return;
        out_.spans.emplace_back(static_cast<std::uint32_t>(out_.buf.size()), static_cast<std::uint32_t>(w.size()));
        out_.buf.append(w);
    }
    // A raw word that may hold apostrophes (word is a view into scratch storage).
    void word(std::string_view w) {
        const std::size_t ap = w.find('\'');
        if (ap == std::string_view::npos) { emit(w); return; }
        std::string_view left = w.substr(0, ap), right = w.substr(ap + 1);
        if (left.empty()) { word(right); return; }
        if (right.empty()) { emit(left); return; }
        for (const French& e : kElisions) {
            if (left == e.elided) { ++out_.elisions; emit(e.full); word(right); return; }
        }
        if (right == "t" && left.size() >= 2 && left.back() == 'n') {
            ++out_.contractions;
            if (left == "can") emit("can");
            else if (left == "won") emit("will");
            else if (left == "ain") emit("is");
            else emit(left.substr(0, left.size() - 1));
            emit("not");
            return;
        }
        for (const English& c : kContractions) {
            if (right == c.suffix) { ++out_.contractions; emit(left); emit(c.full); return; }
        }
        // Anything else (aujourd'hui, o'clock): glue the parts.
        std::string glued(left);
        for (char ch : right) if (ch != '\'') glued.push_back(ch);
        emit(glued);
    }

private:
    Normalised& out_;
};

}  // namespace

void normalise(std::string_view text, Normalised& out) {
    out.clear();
    if (text.size() > kMaxTextBytes) text = text.substr(0, kMaxTextBytes);
    Emitter em(out);
    char word[128];
    std::size_t n = 0;
    bool overflow = false;
    auto flush = [&] {
        while (n > 0 && word[n - 1] == '\'') --n;
        if (n > 0 && !overflow) em.word(std::string_view(word, n));
        n = 0; overflow = false;
    };
    auto push = [&](char c) {
        if (n + 1 >= sizeof word) { overflow = true; return; }  // absurdly long "word": dropped
        const bool letter = c >= 'a' && c <= 'z';
        if (letter && n >= 2 && word[n - 1] == c && word[n - 2] == c) return;  // "!!!" style runs
        if (c == '\'' && (n == 0 || word[n - 1] == '\'')) return;
        word[n++] = c;
    };
    std::size_t i = 0;
    while (i < text.size()) {
        const char32_t c = next_cp(text, i);
        if (c < 0x80) {
            if (c >= 'A' && c <= 'Z') { ++out.upper; ++out.letters; push(static_cast<char>(c - 'A' + 'a')); }
            else if (c >= 'a' && c <= 'z') { ++out.letters; push(static_cast<char>(c)); }
            else if (c >= '0' && c <= '9') push(static_cast<char>(c));
            else if (is_apostrophe(c)) push('\'');
            else { if (c == '!') ++out.exclamations; flush(); }
            continue;
        }
        if (is_apostrophe(c)) { push('\''); continue; }
        if (const char* f = fold_latin(c)) {
            ++out.letters; ++out.accented;
            if (is_upper_cp(c)) ++out.upper;
            for (; *f; ++f) push(*f);
            continue;
        }
        if (c == 0xA1) ++out.exclamations;  // ¡
        flush();
    }
    flush();
}

std::vector<std::string> normalise_words(std::string_view text) {
    Normalised n;
    normalise(text, n);
    std::vector<std::string> words;
    for (std::size_t i = 0; i < n.size(); ++i) words.emplace_back(n[i]);
    return words;
}

bool squeeze_double(std::string& w, std::size_t from) {
    for (std::size_t i = from + 1; i < w.size(); ++i) {
        if (w[i] == w[i - 1] && w[i] >= 'a' && w[i] <= 'z') { w.erase(i, 1); return true; }
    }
    return false;
}

}  // namespace chat::bot::detail
