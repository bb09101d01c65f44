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
    const LangKB& fr = kb.lang(Lang::fr);
    const LangKB& en = kb.lang(Lang::en);
    float f = 0, e = 0;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
        const std::string_view w = tokens[i];
        const bool mf = fr.lex.marker.contains(w) || fr.lex.sms.contains(w);
        const bool me = en.lex.marker.contains(w) || en.lex.sms.contains(w);
        if (mf != me) { (mf ? f : e) += 1.0f; continue; }
        if (mf) continue;
        const bool vf = fr.surface.contains(w), ve = en.surface.contains(w);
        if (vf != ve) (vf ? f : e) += 0.75f;
    }
    f += static_cast<float>(std::min(tokens.accented, 3)) * 0.75f + static_cast<float>(std::min(tokens.elisions, 3));
    e += static_cast<float>(std::min(tokens.contractions, 3));
    if (f > e) return {Lang::fr, f - e};
    if (e > f) return {Lang::en, e - f};
    return {conversation.value_or(kb.default_lang), 0.0f};
}

}  // namespace chat::bot::detail
