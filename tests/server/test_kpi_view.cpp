// KpiView: the live KPIs on their own thread. A typed event handed over counts as its line,
// questions see every event handed over before them, a reset replaces the engine without losing later lines, failures come back as answers,
// and a long question holds up neither the lines nor the thread that hands them over.
#include "kpi_view.hpp"

#include "engine.hpp"
#include "event_parser.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

using chat::server::KpiView;
using nlohmann::json;

namespace {
// One conversation opened and a visitor's message in it, as the core writes them.
std::string conversation_text(int i) {
    const std::string c = "cn-" + std::to_string(i), ts = std::to_string(1700000000000 + i);
    return R"({"conv":")" + c + R"(","lang":"en","node":"n","seq":)" + std::to_string(2 * i + 1) + R"(,"ts":)" + ts +
           R"(,"type":"conversation.opened","v":1,"visitor":"v)" + std::to_string(i) + "\"}\n" + R"({"author":"visitor","conv":")" +
           c + R"(","msg":"m)" + std::to_string(i) + R"(","node":"n","seq":)" + std::to_string(2 * i + 2) +
           R"(,"text":"where is my parcel","ts":)" + ts + R"(,"type":"message","v":1})" + "\n";
}

chat::server::KpiFeed lines(const std::string& text) {
    chat::server::KpiFeed feed;
    std::size_t at = 0;
    for (std::size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1) feed.line(text.substr(at, nl - at));
    return feed;
}
chat::server::KpiFeed conversation_lines(int i) { return lines(conversation_text(i)); }

json ask(KpiView& view, std::function<json(chat::kpi::Engine&)> q) {
    std::promise<json> answer;
    auto got = answer.get_future();
    view.ask(std::move(q), [&answer](json a) { answer.set_value(std::move(a)); });
    REQUIRE(got.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    return got.get();
}

json stored(KpiView& view) {
    return ask(view, [](chat::kpi::Engine& e) {
        return json{{"conversations", e.conversations_stored()}, {"events", e.events_stored()}, {"invalid", e.counters().invalid}};
    });
}
}  // namespace

TEST_CASE("kpi view: a question sees every line handed over before it", "[kpi_view]") {
    KpiView view;
    CHECK(stored(view)["conversations"] == 0);
    for (int i = 0; i < 500; ++i) {
        view.add(conversation_lines(i));
        if (i % 100 == 99) CHECK(stored(view)["conversations"] == i + 1);
    }
    const json s = stored(view);
    CHECK(s["events"] == 500);
    CHECK(s["invalid"] == 0);
    // The report of GET /api/kpi, built there.
    const json r = ask(view, [](chat::kpi::Engine& e) { return chat::kpi::to_json(e.report({})); });
    CHECK(r["conversations"] == 500);
}

TEST_CASE("kpi view: a reset replaces the engine, and later lines reach the new one", "[kpi_view]") {
    KpiView view;
    view.add(lines(conversation_text(1) + conversation_text(2)));
    auto filled = view.reset([](chat::kpi::Engine& e) {
        for (int i = 10; i < 13; ++i) {
            const std::string text = conversation_text(i);
            e.add_line(text.substr(0, text.find('\n')));
        }
    });
    view.add(conversation_lines(20));
    REQUIRE(filled.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(filled.get().empty());
    CHECK(stored(view)["conversations"] == 4);  // 10, 11, 12 from the fill, 20 after it
}

TEST_CASE("kpi view: failures come back, the thread goes on", "[kpi_view]") {
    KpiView view;
    auto filled = view.reset([](chat::kpi::Engine&) { throw std::runtime_error("segment unreadable"); });
    CHECK(filled.get() == "segment unreadable");
    const json a = ask(view, [](chat::kpi::Engine&) -> json { throw std::runtime_error("bad question"); });
    CHECK(a["error"] == "internal");
    CHECK(a["status"] == 500);
    view.add(conversation_lines(1));
    CHECK(stored(view)["conversations"] == 1);
}

TEST_CASE("kpi view: a long question holds up neither the lines nor whoever hands them over", "[kpi_view]") {
    KpiView view;
    std::promise<void> release;
    auto released = release.get_future().share();
    std::promise<json> slow;
    auto slow_answer = slow.get_future();
    view.ask([released](chat::kpi::Engine& e) {
        released.wait();  // a report over a sale day's log, as long as the test likes
        return json{{"conversations", e.conversations_stored()}};
    }, [&slow](json a) { slow.set_value(std::move(a)); });
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 2000; ++i) view.add(conversation_lines(i));
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took < std::chrono::seconds(2));  // no wait on the engine: the adds only queue
    CHECK(slow_answer.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
    release.set_value();
    CHECK(slow_answer.get()["conversations"] == 0);  // asked before any line
    CHECK(stored(view)["conversations"] == 2000);
}

TEST_CASE("kpi view: a typed event handed over counts as its line", "[kpi_view]") {
    // Every kind of field: optional ones present, null and absent, texts with escapes and accents.
    const std::string day = conversation_text(1) + conversation_text(2) +
        R"({"author":"bot","conv":"cn-1","faq":"delivery_time","msg":"b1","node":"n","outcome":"answer","score":0.92,"seq":10,"text":"Livr\u00e9 en 48 h \"express\"","ts":1700000000100,"type":"message","v":1})" "\n"
        R"({"author":"bot","conv":"cn-2","faq":null,"msg":"b2","node":"n","outcome":"fallback","seq":11,"text":"Pardon ?","ts":1700000000200,"type":"message","v":1})" "\n"
        R"({"author":"visitor","conv":"cn-2","msg":"m9","node":"n","seq":12,"text":null,"ts":1700000000300,"type":"message","v":1})" "\n"
        R"({"agent":"mia","by":"agent","conv":"cn-1","node":"n","seq":13,"ts":1700000000400,"type":"conversation.resolved","v":1})" "\n"
        R"({"conv":"cn-1","node":"n","score":4,"seq":14,"ts":1700000000500,"type":"csat","v":1})" "\n"
        R"({"conv":"cn-2","node":"n","seq":15,"stage":"bot","ts":1700000000600,"type":"conversation.abandoned","v":1})" "\n";
    KpiView as_lines, as_events;
    as_lines.add(lines(day));
    chat::server::KpiFeed typed;
    chat::kpi::EventParser parser;
    std::size_t at = 0, n = 0;
    for (std::size_t nl; (nl = day.find('\n', at)) != std::string::npos; at = nl + 1, ++n) {
        chat::kpi::Event e;
        REQUIRE(parser.parse(std::string_view(day).substr(at, nl - at), e) == chat::kpi::ParseStatus::ok);
        typed.event(e);  // the parser's views die at its next line: the feed has copied them
    }
    CHECK(n == 10);
    as_events.add(std::move(typed));
    const auto report = [](chat::kpi::Engine& e) { return chat::kpi::to_json(e.report({})); };
    const json a = ask(as_lines, report), b = ask(as_events, report);
    CHECK(a == b);
    CHECK(a["conversations"] == 2);
    CHECK(a["csat"]["count"] == 1);
    CHECK(a["counts"]["resolved"] == 1);
    CHECK(stored(as_events)["events"] == stored(as_lines)["events"]);
}
