// Unit tests: loading the knowledge base — every refusal names its file and line — and lint.
#include <algorithm>

#include <catch2/catch.hpp>

#include "kb_fixture.hpp"

using namespace chat::bot;
using bot_test::TempKb;

namespace {
std::string fr_with(const std::string& extra) { return TempKb::minimal("fr") + extra; }
}  // namespace

TEST_CASE("the shop's knowledge base loads and covers every required topic") {
    const auto kb = bot_test::shop_kb();
    const auto ids = topic_ids(*kb);
    CHECK(ids.size() >= 34);
    int errors = 0;
    for (const auto& i : lint(*kb)) errors += i.error;
    CHECK(errors == 0);
}

TEST_CASE("a valid minimal knowledge base loads") {
    TempKb t;
    auto r = load_knowledge_base(t.dir());
    REQUIRE(std::holds_alternative<std::shared_ptr<const KnowledgeBase>>(r));
}

TEST_CASE("loader errors name the file and the line") {
    TempKb t;
    struct Case { std::string extra; int line; std::string reason; };
    const std::string minimal = TempKb::minimal("fr");
    const int base = static_cast<int>(std::count(minimal.begin(), minimal.end(), '\n'));
    const std::vector<Case> cases = {
        {"oops no colon\n", base + 1, "expected 'key: value'"},
        {"colour: red\n", base + 1, "unknown key 'colour'"},
        {"topic: invoice\nlabel: Facture\nanswer: Voir {no_such_key}.\nq: facture\n", base + 3, "unknown setting {no_such_key}"},
        {"topic: invoice\nlabel: Facture\nanswer: Voir {shop_name.\nq: facture\n", base + 3, "'{' without '}'"},
        {"topic: invoice\nlabel: Facture\nanswer: ok\nreply: Voir -> nowhere\nq: facture\n", base + 4, "unknown topic 'nowhere'"},
        {"topic: invoice\nlabel: Facture\nanswer: ok\npattern: facture l'adresse\nq: facture\n", base + 4, "pattern word"},
        {"topic: invoice\nanswer: ok\nq: facture\n", base + 1, "has no 'label:'"},
        {"topic: invoice\nlabel: Facture\nq: facture\n", base + 1, "has no 'answer:'"},
        {"topic: invoice\nlabel: Facture\nanswer: ok\n", base + 1, "nothing can match it"},
        {"topic: delivery_cost\n", base + 1, "already defined at line 6"},
        {"topic: Bad-Id\n", base + 1, "bad topic id"},
        {"topic: invoice\nlabel: Facture\nhuman: maybe\nanswer: ok\nq: facture\n", base + 3, "human must be"},
        {"syn: facture mot = bill\n", base + 1, "exactly one word"},
        {"syn: livraison = envoi\nsyn: colis = envoi\n", base + 2, "already stands for"},
        {"topic: invoice\nlabel: Facture\nanswer: ok\nq: le la les\n", base + 4, "only stop words"},
        {"topic: invoice\nlabel: Facture\nanswer: ok\nq: facture \xff\n", base + 4, "invalid UTF-8"},
    };
    for (const Case& c : cases) {
        INFO(c.extra);
        t.write("fr.faq", fr_with(c.extra));
        const LoadError e = bot_test::load_error(t);
        CHECK(e.file == t.path("fr.faq"));
        CHECK(e.line == c.line);
        CHECK_THAT(e.reason, Catch::Contains(c.reason));
        CHECK(to_string(e).find(t.path("fr.faq") + ":" + std::to_string(c.line) + ": ") == 0);
    }
}

TEST_CASE("settings and directory errors") {
    TempKb t;
    t.write("settings.conf", "shop_name = A\nno equals sign\n");
    LoadError e = bot_test::load_error(t);
    CHECK(e.file == t.path("settings.conf"));
    CHECK(e.line == 2);

    t.write("settings.conf", "shop_name = A\nshop_name = B\n");
    e = bot_test::load_error(t);
    CHECK(e.line == 2);
    CHECK_THAT(e.reason, Catch::Contains("already set at line 1"));

    t.write("settings.conf", "shop_name = A\nthreshold = 1\nbot.default_lang = de\n");
    e = bot_test::load_error(t);
    CHECK(e.line == 3);

    t.write("settings.conf", "shop_name = A\nthreshold = 1\n");
    std::filesystem::remove(t.dir() / "en.faq");
    e = bot_test::load_error(t);
    CHECK_THAT(e.reason, Catch::Contains("'en'"));

    t.write("en.faq", TempKb::minimal("fr"));
    e = bot_test::load_error(t);
    CHECK_THAT(e.reason, Catch::Contains("already defined"));

    CHECK(std::holds_alternative<LoadError>(load_knowledge_base(t.dir() / "missing")));
}

TEST_CASE("lint reports missing translations, overlapping rules and unused synonyms") {
    TempKb t;
    t.write("fr.faq", fr_with("syn: facture = justificatif\n"
                              "topic: invoice\nlabel: Facture\nanswer: ok\nq: facture\npattern: livraison\n"
                              "topic: only_fr\nlabel: x\nanswer: ok\nq: chaussette\n"
                              "syn: tartine = beurre\n"));
    t.write("en.faq", TempKb::minimal("en") + "topic: invoice\nlabel: Invoice\nanswer: ok\nq: invoice\n");
    auto r = load_knowledge_base(t.dir());
    REQUIRE(std::holds_alternative<std::shared_ptr<const KnowledgeBase>>(r));
    const auto issues = lint(*std::get<std::shared_ptr<const KnowledgeBase>>(r));
    auto has = [&](bool error, const std::string& text) {
        return std::any_of(issues.begin(), issues.end(), [&](const LintIssue& i) {
            return i.error == error && i.message.find(text) != std::string::npos;
        });
    };
    CHECK(has(true, "'only_fr' has no translation"));
    CHECK(has(true, "required topic 'delivery_time' is missing"));
    CHECK(has(false, "synonyms of 'tartine' are unused"));
    CHECK_FALSE(has(false, "synonyms of 'facture' are unused"));
}

TEST_CASE("lint finds patterns of two topics firing on the same message") {
    TempKb t;
    t.write("fr.faq", fr_with("topic: invoice\nlabel: F\nanswer: ok\nq: facture\npattern: facture\n"
                              "topic: refund_status\nlabel: R\nanswer: ok\nq: remboursement\npattern: facture remboursement\n"));
    auto r = load_knowledge_base(t.dir());
    REQUIRE(std::holds_alternative<std::shared_ptr<const KnowledgeBase>>(r));
    const auto issues = lint(*std::get<std::shared_ptr<const KnowledgeBase>>(r));
    CHECK(std::any_of(issues.begin(), issues.end(), [](const LintIssue& i) {
        return i.error && i.message.find("also fires on every message matching") != std::string::npos;
    }));
}
