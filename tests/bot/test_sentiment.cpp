// Unit tests: the sentiment lexicon with negation and intensifiers, in both languages.
#include <catch2/catch.hpp>

#include "kb_fixture.hpp"
#include "sentiment.hpp"

using namespace chat::bot;
using namespace chat::bot::detail;

namespace {
float mood(Lang lang, const char* text) {
    const auto kb = bot_test::shop_kb();
    const LangKB& lk = kb->lang(lang);
    Normalised n;
    Analysis an;
    normalise(text, n);
    analyse(lk, n, an);
    return sentiment(lk.lex, an, n);
}
}  // namespace

TEST_CASE("negated positive words are negative, negated negative words are not") {
    CHECK(mood(Lang::fr, "je ne suis pas content") <= kAngryBelow);
    CHECK(mood(Lang::fr, "pas du tout satisfaite") <= kAngryBelow);
    CHECK(mood(Lang::fr, "pas de problème") > kAngryBelow);
    CHECK(mood(Lang::fr, "pas de problème") >= 0.0f);
    CHECK(mood(Lang::fr, "content") > 0.0f);
    CHECK(mood(Lang::en, "I am not happy") <= kAngryBelow);
    CHECK(mood(Lang::en, "no problem") >= 0.0f);
    CHECK(mood(Lang::en, "not bad at all") >= 0.0f);
}

TEST_CASE("intensifiers strengthen the next feeling word") {
    CHECK(mood(Lang::fr, "vraiment nul") < mood(Lang::fr, "nul"));
    CHECK(mood(Lang::en, "really disappointed") < mood(Lang::en, "disappointed"));
    CHECK(mood(Lang::en, "not very happy") <= kAngryBelow);
}

TEST_CASE("anger words, exclamations and shouting") {
    CHECK(mood(Lang::fr, "c'est une arnaque") <= kAngryBelow);
    CHECK(mood(Lang::fr, "j'en ai marre") <= kAngryBelow);
    CHECK(mood(Lang::en, "this is unacceptable") <= kAngryBelow);
    CHECK(mood(Lang::en, "useless service!!!") < mood(Lang::en, "useless service"));
    CHECK(mood(Lang::en, "WHERE IS MY ORDER I HAVE A PROBLEM") < mood(Lang::en, "where is my order i have a problem"));
}

TEST_CASE("neutral shopper questions carry no anger") {
    CHECK(mood(Lang::fr, "où est ma commande") == 0.0f);
    CHECK(mood(Lang::fr, "mon colis est arrivé cassé") > kAngryBelow);
    CHECK(mood(Lang::en, "how much is shipping") == 0.0f);
    CHECK(mood(Lang::en, "my parcel never arrived") > kAngryBelow);
}
