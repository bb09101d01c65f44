// Unit tests: the scoring index. Patterns are tried only when a term of their first group is
// in the message (LangKB::pattern_begin / pattern_ids); that must find exactly the rules that
// trying every pattern finds, for every question of the labelled sets, in both languages.
#include <catch2/catch.hpp>

#include <fstream>
#include <string>
#include <vector>

#include "analyse.hpp"
#include "index.hpp"
#include "kb_fixture.hpp"
#include "normalise.hpp"

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
