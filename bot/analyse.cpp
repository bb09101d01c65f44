// analyse.cpp — the language-specific half of reading a message.
//
// normalise.cpp gave plain tokens; here, for one language, each token becomes the term the
// index knows: SMS spellings expanded, stop words flagged, stretched letters squeezed
// ("heeelp"), misspellings of 5+ letters corrected through the typo index, light stemming,
// and synonyms (single words resolved by the term table, phrases folded afterwards).
// Nothing is allocated once the buffers have grown to a message's size.
#include "analyse.hpp"

#include "stem.hpp"

namespace chat::bot::detail {
namespace {

bool has_digit(std::string_view w) {
    for (char c : w) if (c >= '0' && c <= '9') return true;
    return false;
}

}  // namespace

bool is_number(std::string_view w) {
    if (w.empty()) return false;
    for (char c : w) if (c < '0' || c > '9') return false;
    return true;
}

namespace {

TermId lookup(const LangKB& kb, std::string_view w, std::string& tmp) {
    tmp.assign(w);
    tmp.resize(stem(kb.lang, tmp.data(), tmp.size()));
    return kb.terms.find(tmp);
}

void add_word(const LangKB& kb, std::string_view w, Analysis& out) {
    const Lexicon& lex = kb.lex;
    std::string_view surface = w;
    TermId term;
    bool stop, feeling;
    if (const std::uint32_t known = kb.surface.find(w); known != StrMap::npos) {  // most words
        term = kb.surface_term[known];
        stop = kb.surface_kind[known] & LangKB::kStopWord;
        feeling = kb.surface_kind[known] & LangKB::kFeelingWord;
    } else {
        term = lookup(kb, w, out.tmp);
        stop = lex.is_stop(w);
        feeling = lex.is_feeling(w);
    }
    std::string squeezed;  // rare path: only stretched words get here
    if (term == kNoTerm && !stop && !feeling) {
        // "merciii" / "heeelp": drop one letter of a doubled pair until the word is known.
        std::string s(w);
        while (squeeze_double(s)) {
            const TermId t = lookup(kb, s, out.tmp);
            if (t != kNoTerm || lex.is_stop(s) || lex.is_feeling(s) || kb.surface.contains(s)) {
                squeezed = s; surface = squeezed; term = t;
                stop = lex.is_stop(s); feeling = lex.is_feeling(s);
                break;
            }
        }
    }
    if (term == kNoTerm && !stop && !feeling && w.size() >= TypoIndex::kMinLen && !has_digit(w)) {
        const std::uint32_t i = kb.typo.correct(surface);
        if (i != TypoIndex::npos) {
            surface = kb.typo.word(i);
            term = kb.surface_term[i];
            stop = lex.is_stop(surface);
            feeling = lex.is_feeling(surface);
        }
    }
    if (is_number(surface)) stop = true;  // order numbers, sizes: only patterns may use them
    if (term == kNoTerm && !stop && !feeling && !has_digit(surface)) ++out.unknown;
    out.words.push_back(Word{static_cast<std::uint32_t>(out.buf.size()), static_cast<std::uint32_t>(surface.size()),
                             term, stop, feeling});
    out.buf.append(surface);
}

void fold_phrases(const LangKB& kb, Analysis& out) {
    if (kb.phrases.empty()) return;
    auto& ws = out.words;
    for (std::size_t i = 0; i < ws.size(); ++i) {
        const TermId t = ws[i].term;
        if (t == kNoTerm || t + 1 >= kb.phrase_begin.size()) continue;
        for (std::uint32_t k = kb.phrase_begin[t]; k < kb.phrase_begin[t + 1]; ++k) {
            const Phrase& p = kb.phrases[kb.phrase_ids[k]];
            if (i + p.words.size() > ws.size()) continue;
            bool match = true;
            for (std::size_t j = 1; j < p.words.size() && match; ++j) match = ws[i + j].term == p.words[j];
            if (!match) continue;
            ws[i].term = p.canonical;
            ws[i].stop = false;
            for (std::size_t j = 1; j < p.words.size(); ++j) { ws[i + j].term = kNoTerm; ws[i + j].stop = true; }
            i += p.words.size() - 1;
            break;
        }
    }
}

}  // namespace

void analyse(const LangKB& kb, const Normalised& tokens, Analysis& out) {
    out.clear();
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        expand_sms(kb.lex, tokens[i], [&](std::string_view w) { add_word(kb, w, out); });
    }
    fold_phrases(kb, out);
}

std::vector<std::string> surface_words(const Lexicon& lex, std::string_view text) {
    Normalised n;
    normalise(text, n);
    std::vector<std::string> words;
    for (std::size_t i = 0; i < n.size(); ++i) {
        expand_sms(lex, n[i], [&](std::string_view w) { words.emplace_back(w); });
    }
    return words;
}

}  // namespace chat::bot::detail
