// lang.cpp — language detection per message, French vs English.
//
// Shoppers' messages are short, so n-gram models are unreliable on them; typical words are
// not: "je", "mon", "pas" or "the", "my", "is" settle most messages, SMS forms ("pk", "thx")
// and the knowledge base's own vocabulary ("colis" vs "parcel") settle most of the rest.
// A message with no evidence (an order number, "ok") keeps the conversation's language.
#include "lang.hpp"

#include <algorithm>

namespace chat::bot::detail {

LangGuess detect_lang(const KnowledgeBase& kb, const Normalised& tokens, std::optional<Lang> conversation) {
    float f = 0, e = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::uint32_t bits = kb.lang_evidence.find(tokens[i]);
        if (bits == StrMap::npos) continue;  // no evidence either way
        const bool mf = bits & fr_marker, me = bits & en_marker;
        if (mf != me) { (mf ? f : e) += 1.0f; continue; }
        if (mf) continue;
        const bool vf = bits & fr_surface, ve = bits & en_surface;
        if (vf != ve) (vf ? f : e) += 0.75f;
    }
    f += static_cast<float>(std::min(tokens.accented, 3)) * 0.75f + static_cast<float>(std::min(tokens.elisions, 3));
    e += static_cast<float>(std::min(tokens.contractions, 3));
    if (f > e) return {Lang::fr, f - e};
    if (e > f) return {Lang::en, e - f};
    return {conversation.value_or(kb.default_lang), 0.0f};
}

void build_lang_evidence(KnowledgeBase& kb) {
    auto mark = [&](const StrMap& words, std::uint32_t bit) {
        words.for_each([&](std::string_view w, std::uint32_t) {
            const std::uint32_t had = kb.lang_evidence.find(w);
            kb.lang_evidence.set(w, (had == StrMap::npos ? 0 : had) | bit);
        });
    };
    const LangKB& fr = kb.lang(Lang::fr);
    const LangKB& en = kb.lang(Lang::en);
    mark(fr.lex.marker, fr_marker), mark(fr.lex.sms, fr_marker), mark(fr.surface, fr_surface);
    mark(en.lex.marker, en_marker), mark(en.lex.sms, en_marker), mark(en.surface, en_surface);
}

}  // namespace chat::bot::detail
