// Unit tests: the symmetric-delete typo index and its edit distance.
#include <catch2/catch.hpp>

#include "typo_index.hpp"

using chat::bot::detail::TypoIndex;

namespace {
TypoIndex make() {
    TypoIndex t;
    t.build({"livraison", "colis", "commande", "remboursement", "thank", "paiement", "echange", "echanger"},
            {5, 9, 9, 3, 4, 5, 2, 1});
    return t;
}
std::string corrected(const TypoIndex& t, const char* w) {
    const auto i = t.correct(w);
    return i == TypoIndex::npos ? std::string("-") : t.word(i);
}
}  // namespace

TEST_CASE("edit distance counts a swap of neighbours as one edit") {
    CHECK(TypoIndex::distance("colis", "colis", 2) == 0);
    CHECK(TypoIndex::distance("colsi", "colis", 2) == 1);
    CHECK(TypoIndex::distance("livrason", "livraison", 2) == 1);
    CHECK(TypoIndex::distance("lvraisn", "livraison", 2) == 2);
    CHECK(TypoIndex::distance("abc", "xyzabc", 2) == 3);  // beyond the limit: limit + 1
}

TEST_CASE("typo index corrects within the allowed distance") {
    const TypoIndex t = make();
    CHECK(corrected(t, "livraisn") == "livraison");      // deletion, 8 letters
    CHECK(corrected(t, "livriason") == "livraison");     // swap
    CHECK(corrected(t, "remboursemnet") == "remboursement");
    CHECK(corrected(t, "rmboursemnt") == "remboursement");  // two edits on a long word
    CHECK(corrected(t, "commnde") == "commande");
    CHECK(corrected(t, "colsi") == "colis");             // 5 letters: swaps only
}

TEST_CASE("typo index leaves short, known and far words alone") {
    const TypoIndex t = make();
    CHECK(corrected(t, "think") == "-");        // 5 letters, not a swap of "thank"
    CHECK(corrected(t, "coli") == "-");         // under 5 letters
    CHECK(corrected(t, "colis") == "-");        // known as it is
    CHECK(corrected(t, "lvraisn") == "-");      // 7 letters, two edits
    CHECK(corrected(t, "weather") == "-");
}

TEST_CASE("typo index prefers the more frequent word on ties") {
    const TypoIndex t = make();
    CHECK(corrected(t, "echangez") == "echange");   // one edit from both; echange is more frequent
}
