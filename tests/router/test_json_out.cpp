// Direct JSON writer tests: every frame it writes must be what nlohmann's dump gives for the
// same object, byte for byte (clients, the log and its readers see no difference), including
// escapes, control characters, UTF-8 kept as is and bytes that are not UTF-8.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "json_out.hpp"

using chat::router::JsonOut;
using json = nlohmann::json;

namespace {
std::string nl(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }
std::string direct(std::string_view s) {
    std::string out;
    chat::router::append_json_string(out, s);
    return out;
}
}  // namespace

TEST_CASE("json_out: strings are escaped exactly as nlohmann escapes them") {
    const std::vector<std::string> cases = {
        "",
        "plain ascii",
        "quote \" and backslash \\ and slash /",
        "newline\n tab\t cr\r backspace\b formfeed\f",
        std::string("nul \0 and \x01 \x1f \x7f", sizeof("nul \0 and \x01 \x1f \x7f") - 1),
        "accents é à ç — “quotes” 😀 中文",
        "mixed \"é\"\n\\😀",
        "invalid \xff byte",
        "truncated \xc3",
        "overlong \xc0\xaf and surrogate \xed\xa0\x80",
        "past range \xf4\x90\x80\x80 end",
        "lone continuation \x80\x80 ok é",
    };
    for (const auto& s : cases) {
        INFO("case: " << json(s).dump(-1, ' ', true, json::error_handler_t::replace));
        CHECK(direct(s) == nl(json(s)));
        // Always valid JSON that reads back (bad bytes replaced by U+FFFD).
        CHECK(json::parse(direct(s)).is_string());
    }
    CHECK(json::parse(direct("a\"b\\c\nd")).get<std::string>() == "a\"b\\c\nd");
    // Every byte at every position of two blocks (the writer looks at 16 bytes at a time),
    // before and after an accented letter.
    for (int b = 0; b < 256; ++b)
        for (std::size_t at = 0; at < 33; ++at) {
            std::string s(36, 'x');
            s[at] = static_cast<char>(b);
            if (at + 2 < s.size()) s.replace(at + 1, 2, "\xc3\xa9");
            INFO("byte " << b << " at " << at);
            REQUIRE(direct(s) == nl(json(s)));
        }
    // Short strings (ids, types) take other paths by length (below 8, 8 to 15, a block and a
    // tail): every byte at every position of every length up to 33, alone and in a JsonOut.
    for (std::size_t len = 1; len <= 33; ++len)
        for (int b = 0; b < 256; ++b)
            for (std::size_t at = 0; at < len; ++at) {
                std::string s(len, 'y');
                s[at] = static_cast<char>(b);
                INFO("length " << len << ", byte " << b << " at " << at);
                REQUIRE(direct(s) == nl(json(s)));
                REQUIRE(JsonOut(16).str("k", s).done() == nl(json{{"k", s}}));
            }
}

TEST_CASE("json_out: random strings of ASCII, escapes, UTF-8 and broken bytes are escaped as nlohmann does") {
    // Pieces a text is made of, some of them not UTF-8 or cut short; strings of up to 40 of
    // them exercise the plain copy, the 8-byte scan on both sides of an escape, and the
    // validation of the rest once a byte above 0x7F is seen.
    const std::vector<std::string> pieces = {"a", "plain", "0123456789", " ", "\"", "\\", "\n", "\t", std::string(1, '\0'),
                                             "\x1f", "\x7f", "é", "à", "—", "😀", "中", "\xc3", "\xff", "\x80",
                                             "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82", "\xc0\xaf"};
    std::uint64_t state = 0x9e3779b97f4a7c15ull;
    auto next = [&] {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    };
    for (int n = 0; n < 20000; ++n) {
        std::string s;
        const auto len = next() % 41;
        const bool ascii_only = n % 3 == 0;  // a third without broken bytes, to reach the fast paths
        for (std::uint64_t k = 0; k < len; ++k) s += pieces[next() % (ascii_only ? 11 : pieces.size())];
        INFO("case " << n << ": " << json(s).dump(-1, ' ', true, json::error_handler_t::replace));
        REQUIRE(direct(s) == nl(json(s)));
    }
}

TEST_CASE("json_out: an object written field by field equals nlohmann's dump of it") {
    std::string frame = JsonOut()
                            .str("author", "visitor")
                            .str("client_id", "c-1")
                            .str("conv", "cn-1")
                            .str("msg", "cn-1.1")
                            .num("seq", 18446744073709551615ull)
                            .str("text", "Où est ma commande ?\n\"vite\"")
                            .num("ts", -1700000000123)
                            .str("type", "message")
                            .done();
    json j{{"type", "message"}, {"conv", "cn-1"}, {"msg", "cn-1.1"}, {"seq", 18446744073709551615ull},
           {"ts", -1700000000123}, {"author", "visitor"}, {"text", "Où est ma commande ?\n\"vite\""}, {"client_id", "c-1"}};
    CHECK(frame == nl(j));

    json sugg = json::array({json{{"label", "Parler à un conseiller"}, {"faq", "human_agent"}}});
    std::string bot = JsonOut()
                          .value("faq", json(nullptr))
                          .value("outcome", "answer")
                          .value("score", 0.8125)
                          .value("seq", json(7))
                          .value("neg", json(-3))
                          .value("on", json(true))
                          .value("suggestions", sugg)
                          .done();
    json b{{"faq", nullptr}, {"outcome", "answer"}, {"score", 0.8125}, {"seq", 7}, {"neg", -3}, {"on", true}, {"suggestions", sugg}};
    // nlohmann sorts keys: compare as parsed objects, and the bytes for a sorted writer order.
    CHECK(json::parse(bot) == b);
    CHECK(JsonOut().done() == "{}");
    // Nested values (arrays of objects, empty ones, fractions) as nlohmann writes them.
    json nested = json::parse(R"({"a":[{"z":1,"b":"é\n"},[],{},null,true,false,-0.5,1e300,3.0,[1,[2,"x"]]],"k":{"y":{"x":[]}}})");
    std::string got;
    chat::router::append_json_value(got, nested);
    CHECK(got == nl(nested));
}

TEST_CASE("json_out: a fraction is written as nlohmann writes the double") {
    std::vector<double> cases = {0.0, -0.0, 1.0, -3.0, 0.5, 0.8125, 1e-5, 1e-4, 123456789012345678.0, 1e300, -2.5e-300,
                                 0.1, 1.0 / 3, static_cast<double>(0.81253439f), 5e-324, 1.7976931348623157e308,
                                 std::nan(""), std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    std::uint64_t state = 0x2545f4914f6cdd1dull;
    for (int n = 0; n < 20000; ++n) {  // bot scores are floats in [0, 1]; then any bit pattern
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        cases.push_back(static_cast<double>(static_cast<float>(state % 1000001) / 1000000.0f));
        double any;
        std::memcpy(&any, &state, sizeof any);
        cases.push_back(any);
    }
    for (double d : cases) {
        INFO("value " << d);
        REQUIRE(JsonOut(16).fraction("score", d).done() == nl(json{{"score", d}}));
    }
}
