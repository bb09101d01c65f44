// Typed lifecycle events (conversation.opened, reopened, resolved, csat): each one's log line
// is byte for byte the line of its JSON object, and the fields the server hands the live KPIs
// are exactly what the KPI engine's parser reads back from that line, optional fields present
// or not, texts with quotes, escapes and accents included.
#include <catch2/catch.hpp>

#include "conv_event.hpp"
#include "event_parser.hpp"
#include "json_out.hpp"
#include "kpi_feed.hpp"

using chat::router::ConvEvent;
using Kind = ConvEvent::Kind;

namespace {
std::vector<ConvEvent> samples() {
    std::vector<ConvEvent> out;
    ConvEvent base;
    base.conv = "cn1-7";
    base.ts = 1'700'000'000'123;

    ConvEvent o = base;
    o.kind = Kind::opened;
    o.visitor = "v42";
    o.lang = "fr";
    out.push_back(o);
    o.page = "/commande?id=\"7\"&q=été";
    o.user_agent = "Mozilla/5.0 (X11; \\ Linux)\t";
    o.referrer = "https://exemple.fr/";
    out.push_back(o);

    ConvEvent r = base;
    r.kind = Kind::reopened;
    out.push_back(r);

    ConvEvent z = base;
    z.kind = Kind::resolved;
    for (const char* by : {"bot", "visitor", "timeout", "agent"}) {
        z.by = by;
        out.push_back(z);
    }
    z.agent = "alice";
    out.push_back(z);

    ConvEvent c = base;
    c.kind = Kind::csat;
    for (int s = 1; s <= 5; ++s) {
        c.score = s;
        out.push_back(c);
    }
    c.comment = "Très \"rapide\"\nmerci 😀";
    out.push_back(c);
    return out;
}
}  // namespace

TEST_CASE("conv_event: a lifecycle event's line is its JSON object's line") {
    for (const auto& e : samples()) {
        const std::string line = e.log_line("n1", 99);
        INFO(line);
        CHECK(line == chat::router::log_line(e.to_json(), "n1", 99));
        const auto j = nlohmann::json::parse(line);
        CHECK(j["type"] == e.type());
        CHECK(j["conv"] == e.conv);
        CHECK(j["ts"] == e.ts);
    }
}

TEST_CASE("conv_event: the live KPIs get the fields the parser reads from the line") {
    chat::kpi::EventParser parser;
    for (const auto& e : samples()) {
        const std::string line = e.log_line("n1", 99);
        INFO(line);
        chat::kpi::Event read;
        REQUIRE(parser.parse(line, read) == chat::kpi::ParseStatus::ok);
        const chat::kpi::Event fed = chat::router::kpi_event(e, "n1", 99);
        CHECK(fed.type == read.type);
        CHECK(fed.type != chat::kpi::EventType::unknown);
        CHECK(fed.type_text == read.type_text);
        CHECK(fed.ts == read.ts);
        CHECK(fed.seq == read.seq);
        CHECK(fed.node == read.node);
        CHECK(fed.conv == read.conv);
        CHECK(fed.visitor == read.visitor);
        CHECK(fed.agent == read.agent);
        CHECK(fed.author == read.author);
        CHECK(fed.outcome == read.outcome);
        CHECK(fed.by == read.by);
        CHECK(fed.stage == read.stage);
        CHECK(fed.faq == read.faq);
        CHECK(fed.text == read.text);
        CHECK(fed.tag == read.tag);
        CHECK(fed.score == read.score);
    }
}
