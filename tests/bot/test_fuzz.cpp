// Fuzz-style tests: whatever arrives (nothing, 1 MB, garbage bytes, emoji, punctuation), the
// bot answers quickly with a fallback and never crashes.
#include <chrono>
#include <random>

#include <catch2/catch.hpp>

#include "kb_fixture.hpp"

using namespace chat::bot;

namespace {
void check_fallback(const std::string& text) {
    const Decision d = decide(*bot_test::shop_kb(), text, {});
    CHECK(d.outcome == Outcome::fallback);
    CHECK(d.intent.empty());
    CHECK(d.score >= 0.0);
    CHECK(d.score <= 1.0);
    CHECK_FALSE(d.answer.empty());
}
}  // namespace

TEST_CASE("empty and blank lines fall back") {
    check_fallback("");
    check_fallback("   \t  ");
}

TEST_CASE("punctuation-only and emoji-only lines fall back") {
    check_fallback("?!?!...;;;,,,---***");
    check_fallback("😀😀😀 🙏 📦❤️");
    check_fallback("¿¡«»—…");
}

TEST_CASE("invalid UTF-8 falls back") {
    check_fallback("\xff\xfe\xfd\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc");
    check_fallback(std::string("\0\0\0", 3));
}

TEST_CASE("a 1 MB line is answered fast, reading only its beginning") {
    std::string huge(1 << 20, 'a');
    for (std::size_t i = 0; i < huge.size(); i += 7) huge[i] = ' ';
    const auto start = std::chrono::steady_clock::now();
    const Decision d = decide(*bot_test::shop_kb(), huge, {});
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    CHECK(d.outcome == Outcome::fallback);
    CHECK(ms < 1000);  // the whole line would take seconds; its first few KB take microseconds

    std::string words;
    while (words.size() < (1u << 20)) words += "où est ma commande ";
    const Decision w = decide(*bot_test::shop_kb(), words, {});
    CHECK(w.intent == "order_tracking");  // the beginning is a real question

    check_fallback(std::string(1 << 20, '!'));
    check_fallback(std::string(1 << 20, '\xff'));
}

TEST_CASE("random bytes never crash and always give a valid decision") {
    std::mt19937 rng(12345);
    std::uniform_int_distribution<int> byte(0, 255), len(0, 300);
    const auto kb = bot_test::shop_kb();
    ConversationState st;
    for (int i = 0; i < 3000; ++i) {
        std::string s(static_cast<std::size_t>(len(rng)), '\0');
        for (char& c : s) c = static_cast<char>(byte(rng));
        const Decision d = decide(*kb, s, st);
        REQUIRE(d.score >= 0.0);
        REQUIRE(d.score <= 1.0);
        const bool consistent = d.outcome != Outcome::handoff || d.handoff_reason != HandoffReason::none;
        REQUIRE(consistent);
        st = d.next;
    }
}
