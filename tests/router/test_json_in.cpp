// json_in: parse_json gives nlohmann's value for the same text, and read_logged reads a
// logged message or lifecycle event into exactly the struct its JSON object converts to, so
// that a replay through it rebuilds the same state; what it cannot vouch for goes back to JSON.
#include "router_fixture.hpp"

#include <fstream>

#include "json_in.hpp"

using namespace chat::test;
using chat::router::read_logged;

namespace {
std::vector<std::string> golden_lines() {
    std::ifstream in(std::string(CHAT_TEST_DIR) + "/router/golden/day.txt", std::ios::binary);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);)
        if (l.rfind("line ", 0) == 0) out.push_back(l.substr(5));
    return out;
}
}  // namespace

TEST_CASE("read_logged reads the golden day's messages and lifecycle events as their JSON objects convert") {
    const auto lines = golden_lines();
    REQUIRE(lines.size() > 40);
    int typed = 0;
    for (const auto& line : lines) {
        INFO(line);
        const json e = json::parse(line);
        CHECK(chat::router::parse_json(line) == e);
        auto got = read_logged(line);
        const std::string type = e.value("type", "");
        if (type == "message") {
            REQUIRE(got);
            REQUIRE(got->message);
            const auto want = chat::router::MessageEvent::from_json(e);
            CHECK(got->message->to_json() == want.to_json());
            CHECK(got->message->log_line("n1", 7) == want.log_line("n1", 7));
            CHECK(got->message->suggestions == want.suggestions);
        } else if (type == "conversation.opened" || type == "conversation.reopened" || type == "conversation.resolved") {
            REQUIRE(got);
            REQUIRE(got->conv_event);
            CHECK(got->conv_event->conv == e.value("conv", ""));
            CHECK(got->conv_event->visitor == e.value("visitor", ""));
            CHECK(got->conv_event->lang == e.value("lang", ""));
            CHECK(got->conv_event->page.value_or("") == e.value("page", ""));
            CHECK(got->conv_event->by == e.value("by", ""));
        } else {
            CHECK_FALSE(got);
            continue;
        }
        CHECK(got->seq == e["seq"].get<std::uint64_t>());
        CHECK(got->ts == e["ts"].get<std::int64_t>());
        ++typed;
    }
    CHECK(typed > 20);

    // Replayed through it, or through JSON objects: the same state, the same histories.
    chat::router::Router by_json({}, real_bot()), by_struct({}, real_bot());
    for (const auto& line : lines) {
        by_json.apply(json::parse(line));
        if (auto t = read_logged(line)) by_struct.apply(std::move(*t).event());
        else by_struct.apply(json::parse(line));
    }
    same_state(by_json, by_struct);
}

TEST_CASE("read_logged leaves to JSON what it cannot vouch to read as nlohmann would") {
    const std::string good = R"({"author":"visitor","conv":"c1","msg":"c1.1","seq":3,"text":"hi","ts":5,"type":"message","v":1})";
    REQUIRE(read_logged(good));
    for (const std::string& line : {
             std::string(R"({"author":"visitor","conv":"c1","conv":"c2","msg":"c1.1","text":"hi","ts":5,"type":"message"})"),  // duplicate key
             std::string(R"({"author":"visitor","conv":"c1","msg":"c1.1","text":"hi","ts":"5","type":"message"})"),  // ts a string
             std::string(R"({"author":"visitor","conv":"c1","msg":"c1.1","text":"hi","ts":5.5,"type":"message"})"),  // ts a fraction
             std::string(R"({"conv":"c1","score":4,"ts":5,"type":"csat"})"),  // another kind
             std::string(R"({"conv":"c1","ts":5})"),                           // no type
             std::string(R"([1,2])"), std::string("{not json"), std::string(""),
         }) {
        INFO(line);
        CHECK_FALSE(read_logged(line));
    }
    // Values nlohmann reads its own way stay nlohmann's.
    for (const std::string& text : {std::string("-0"), std::string(R"({"a":-0,"b":[1,-0.0]})"), std::string("18446744073709551615"),
                                   std::string(R"({"a":1,"a":2})"), std::string("1e400"), std::string("[\"\\ud83d\\ude00\"]")}) {
        INFO(text);
        const json want = json::parse(text, nullptr, false), got = chat::router::parse_json(text);
        if (want.is_discarded()) CHECK(got.is_discarded());
        else CHECK(got == want);
    }
}
