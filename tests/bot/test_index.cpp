// Unit tests: the tables built at load that spare the analysis and the scoring work. Patterns
// are tried only when a term of their first group is in the message (LangKB::pattern_begin /
// pattern_ids): that must find exactly the rules that trying every pattern finds, for every
// question of the labelled sets, in both languages. A known word's term and kind are read from
// one table (LangKB::surface_term / surface_kind): each must be what stemming and the lexicon
// say.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "analyse.hpp"
#include "index.hpp"
#include "kb_fixture.hpp"
#include "normalise.hpp"
#include "stem.hpp"

using namespace chat::bot;
using namespace chat::bot::detail;

namespace {
// Every pattern, each group against the message's terms: what score() did before its index.
std::vector<std::uint8_t> rules_by_trying_all(const LangKB& kb, const Analysis& a) {
    std::vector<std::uint8_t> rule(kb.entries.size(), 0);
    auto in_message = [&](TermId t) {
        for (const Word& w : a.words)
            if (w.term == t) return true;
        return false;
    };
    for (const Pattern& p : kb.patterns) {
        bool all = true;
        for (const auto& group : p.groups) {
            bool any = false;
            for (TermId t : group) any = any || in_message(t);
            all = all && any;
        }
        if (all) rule[p.entry] = 1;
    }
    return rule;
}

std::vector<std::string> questions(const std::string& file) {
    std::ifstream in(std::string(BOT_FAQ_DIR) + "/../tests/bot/" + file);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto tab = line.rfind('\t');
        if (tab != std::string::npos) out.push_back(line.substr(tab + 1));
    }
    return out;
}
}  // namespace

TEST_CASE("the pattern index finds exactly the rules that trying every pattern finds") {
    const auto kb = bot_test::shop_kb();
    std::size_t asked = 0, with_rule = 0;
    Scores sc;  // reused across questions, as the engine reuses it (stamps by epoch)
    for (const char* file : {"questions.tsv", "holdout.tsv", "holdout2.tsv"}) {
        const auto qs = questions(file);
        REQUIRE(qs.size() > 100);
        for (const auto& q : qs) {
            for (Lang lang : {Lang::fr, Lang::en}) {
                const LangKB& lk = kb->lang(lang);
                Normalised n;
                normalise(q, n);
                Analysis a;
                analyse(lk, n, a);
                score(lk, a, sc);
                const auto expected = rules_by_trying_all(lk, a);
                INFO(file << " (" << (lang == Lang::fr ? "fr" : "en") << "): " << q);
                REQUIRE(sc.rule == expected);
                ++asked;
                for (auto r : expected) with_rule += r;
            }
        }
    }
    CHECK(asked > 1000);
    CHECK(with_rule > 200);  // the sets do reach the patterns: the comparison is not vacuous
}

TEST_CASE("a known word's term, stop and feeling kinds are what stemming and the lexicon say") {
    const auto kb = bot_test::shop_kb();
    for (Lang lang : {Lang::fr, Lang::en}) {
        const LangKB& lk = kb->lang(lang);
        REQUIRE(lk.surface_kind.size() == lk.surface_term.size());
        std::size_t words = 0, stops = 0, feelings = 0, with_term = 0;
        std::string first_wrong;
        lk.surface.for_each([&](std::string_view w, std::uint32_t i) {
            ++words;
            const bool stop = lk.lex.is_stop(w);
            const bool feeling = lk.lex.sentiment.contains(w) || lk.lex.negator.contains(w) || lk.lex.intensifier.contains(w);
            const TermId term = lk.terms.find(stem(lang, w));
            stops += stop;
            feelings += feeling;
            with_term += term != kNoTerm;
            const bool right = lk.surface_term[i] == term && ((lk.surface_kind[i] & LangKB::kStopWord) != 0) == stop &&
                               ((lk.surface_kind[i] & LangKB::kFeelingWord) != 0) == feeling;
            if (!right && first_wrong.empty()) first_wrong = std::string(w);
        });
        INFO("first word the table gets wrong: " << first_wrong);
        CHECK(first_wrong.empty());
        CHECK(words > 500);
        CHECK(stops > 20);     // every kind is represented: the comparison is not vacuous
        CHECK(feelings > 20);
        CHECK(with_term > 200);
    }
}
