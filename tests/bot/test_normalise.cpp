// Unit tests: normalisation (case, accents, punctuation, elisions, contractions, stretched
// letters), SMS spellings, stemming and language detection.
#include <catch2/catch.hpp>

#include "analyse.hpp"
#include "kb_fixture.hpp"
#include "lang.hpp"
#include "normalise.hpp"
#include "stem.hpp"

using namespace chat::bot;
using namespace chat::bot::detail;
using Words = std::vector<std::string>;

TEST_CASE("normalise folds case, accents and punctuation") {
    CHECK(normalise_words("Où EST ma Commande ?!") == Words{"ou", "est", "ma", "commande"});
    CHECK(normalise_words("Reçu, ÉCHANGÉ; cœur... Straße") == Words{"recu", "echange", "coeur", "strasse"});
    CHECK(normalise_words("n°12345/colis-perdu") == Words{"n", "12345", "colis", "perdu"});
    CHECK(normalise_words("?!?...;;;").empty());
}

TEST_CASE("normalise expands French elisions, whatever the apostrophe") {
    CHECK(normalise_words("l'adresse") == Words{"le", "adresse"});
    CHECK(normalise_words("j’ai reçu qu'un article") == Words{"je", "ai", "recu", "que", "un", "article"});
    CHECK(normalise_words("jusqu'à demain") == Words{"jusque", "a", "demain"});
    CHECK(normalise_words("aujourd'hui") == Words{"aujourdhui"});
}

TEST_CASE("normalise expands English contractions") {
    CHECK(normalise_words("I don't know") == Words{"i", "do", "not", "know"});
    CHECK(normalise_words("it's broken, can't use it") == Words{"it", "is", "broken", "can", "not", "use", "it"});
    CHECK(normalise_words("I'm sure") == Words{"i", "am", "sure"});
}

TEST_CASE("normalise squeezes stretched letters but keeps numbers") {
    CHECK(normalise_words("merciiiiii") == Words{"mercii"});
    CHECK(normalise_words("commande 10000") == Words{"commande", "10000"});
    std::string w = "mercii";
    CHECK(squeeze_double(w));
    CHECK(w == "merci");
    std::string plain = "abc";
    CHECK_FALSE(squeeze_double(plain));
}

TEST_CASE("normalise treats invalid UTF-8 and emoji as separators") {
    CHECK(normalise_words("colis\xff\xfeperdu") == Words{"colis", "perdu"});
    CHECK(normalise_words("colis\xc3") == Words{"colis"});         // truncated sequence
    CHECK(normalise_words("\xe2\x82") .empty());
    CHECK(normalise_words("colis 📦 perdu 😡") == Words{"colis", "perdu"});
    CHECK(normalise_words("\xc0\xaf" "etc") == Words{"etc"});         // overlong encoding
}

TEST_CASE("normalise caps the work on huge input") {
    std::string huge;
    for (int i = 0; i < 200000; ++i) huge += "mot ";
    Normalised n;
    normalise(huge, n);
    CHECK(n.size() <= kMaxTokens);
    CHECK(n.buf.size() <= kMaxTextBytes);
}

TEST_CASE("SMS spellings are expanded per language") {
    const auto kb = bot_test::shop_kb();
    const LangKB& fr = kb->lang(Lang::fr);
    const LangKB& en = kb->lang(Lang::en);
    auto words = [](const LangKB& lk, const char* text) {
        Normalised n;
        Analysis an;
        normalise(text, n);
        analyse(lk, n, an);
        Words out;
        for (const Word& w : an.words) out.emplace_back(an.text(w));
        return out;
    };
    CHECK(words(fr, "pk ma cmd") == Words{"pourquoi", "ma", "commande"});
    CHECK(words(fr, "jsp") == Words{"je", "sais", "pas"});
    CHECK(words(fr, "tjr rien qd") == Words{"toujours", "rien", "quand"});
    CHECK(words(fr, "mdr").empty());
    CHECK(words(en, "u r gr8 thx") == Words{"you", "are", "gr8", "thanks"});
    CHECK(words(en, "pls where is ur pkg") == Words{"please", "where", "is", "your", "package"});
}

TEST_CASE("analysis undoes stretched letters and corrects typos against the vocabulary") {
    const auto kb = bot_test::shop_kb();
    const LangKB& fr = kb->lang(Lang::fr);
    Normalised n;
    Analysis an;
    normalise("livraisonnnn remboursemnt", n);
    analyse(fr, n, an);
    REQUIRE(an.words.size() == 2);
    CHECK(an.text(an.words[0]) == "livraison");
    CHECK(an.text(an.words[1]) == "remboursement");
    CHECK(an.words[0].term != kNoTerm);
    CHECK(an.unknown == 0);
}

TEST_CASE("French stemming joins inflections") {
    CHECK(stem(Lang::fr, "livree") == stem(Lang::fr, "livrer"));
    CHECK(stem(Lang::fr, "livres") == stem(Lang::fr, "livre"));
    CHECK(stem(Lang::fr, "commandes") == stem(Lang::fr, "commande"));
    CHECK(stem(Lang::fr, "annulation") == stem(Lang::fr, "annuler"));
    CHECK(stem(Lang::fr, "chevaux") == "cheval");
    CHECK(stem(Lang::fr, "pays") != stem(Lang::fr, "payer"));   // singular in -s kept whole
    CHECK(stem(Lang::fr, "colis") == "colis");
}

TEST_CASE("English stemming joins inflections") {
    CHECK(stem(Lang::en, "shipping") == stem(Lang::en, "shipped"));
    CHECK(stem(Lang::en, "ships") == stem(Lang::en, "ship"));
    CHECK(stem(Lang::en, "deliveries") == stem(Lang::en, "delivery"));
    CHECK(stem(Lang::en, "delivered") == stem(Lang::en, "deliver"));
    CHECK(stem(Lang::en, "cancelled") == stem(Lang::en, "cancel"));
    CHECK(stem(Lang::en, "cookies") != stem(Lang::en, "cook"));
    CHECK(stem(Lang::en, "address") == "address");
}

TEST_CASE("language detection per message, with the conversation as tie-breaker") {
    const auto kb = bot_test::shop_kb();
    auto lang = [&](const char* text, std::optional<Lang> conv = std::nullopt) {
        Normalised n;
        normalise(text, n);
        return detect_lang(*kb, n, conv).lang;
    };
    CHECK(lang("ou est mon colis") == Lang::fr);
    CHECK(lang("where is my parcel") == Lang::en);
    CHECK(lang("pk cmd pas arrivee") == Lang::fr);
    CHECK(lang("thx u r great") == Lang::en);
    CHECK(lang("livraison gratuite") == Lang::fr);
    CHECK(lang("refund") == Lang::en);
    CHECK(lang("déjà reçu", Lang::en) == Lang::fr);   // accents are evidence
    CHECK(lang("12345", Lang::en) == Lang::en);        // no evidence: the conversation decides
    CHECK(lang("12345", Lang::fr) == Lang::fr);
    CHECK(lang("ok") == kb->default_lang);
}

TEST_CASE("the language evidence table says of every word what the six tables it merges say") {
    const auto kb = bot_test::shop_kb();
    const LangKB& fr = kb->lang(Lang::fr);
    const LangKB& en = kb->lang(Lang::en);
    std::size_t words = 0, disagreements = 0;
    std::string first;  // the first word it gets wrong
    auto check = [&](std::string_view w, std::uint32_t) {
        auto bit = [](bool on, LangEvidence b) { return on ? static_cast<std::uint32_t>(b) : 0u; };
        const std::uint32_t expected = bit(fr.lex.marker.contains(w) || fr.lex.sms.contains(w), fr_marker) |
                                       bit(en.lex.marker.contains(w) || en.lex.sms.contains(w), en_marker) |
                                       bit(fr.surface.contains(w), fr_surface) | bit(en.surface.contains(w), en_surface);
        ++words;
        if (kb->lang_evidence.find(w) != expected && disagreements++ == 0) first = std::string(w);
    };
    for (const LangKB* lk : {&fr, &en}) {
        lk->lex.marker.for_each(check);
        lk->lex.sms.for_each(check);
        lk->surface.for_each(check);
    }
    CHECK(words > 1000);  // both knowledge bases' vocabularies, not a handful
    INFO("first word the table gets wrong: " << first);
    CHECK(disagreements == 0);
    CHECK(kb->lang_evidence.size() <= words);
    // A word of neither language is in none.
    CHECK(kb->lang_evidence.find("zzqxw") == StrMap::npos);
    // Some words are surface words of both languages, and keep both bits (detect_lang then
    // counts them for neither, as it did with the six tables).
    std::size_t both = 0;
    kb->lang_evidence.for_each([&](std::string_view, std::uint32_t bits) { both += (bits & fr_surface) && (bits & en_surface); });
    CHECK(both > 0);
}
