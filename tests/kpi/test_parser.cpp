// Reading one line: the envelope, the fields each KPI needs, and what is skipped.
#include "event_parser.hpp"

#include <catch2/catch.hpp>

using namespace chat::kpi;

TEST_CASE("parser: reads the envelope and a visitor message", "[parser]") {
  EventParser p;
  Event e;
  REQUIRE(p.parse(R"({"v":1,"ts":1709251200123,"node":"n1","seq":42,"type":"message","conv":"c1","msg":"m1","author":"visitor","text":"Où est ma commande ?"})", e) == ParseStatus::ok);
  CHECK(e.ts == 1709251200123);
  CHECK(e.node == "n1");
  CHECK(e.seq == 42);
  CHECK(e.type == EventType::message);
  CHECK(e.conv == "c1");
  CHECK(e.author == Author::visitor);
  REQUIRE(e.text);
  CHECK(*e.text == "Où est ma commande ?");
}

TEST_CASE("parser: fields in any order, unknown fields ignored", "[parser]") {
  EventParser p;
  Event e;
  REQUIRE(p.parse(R"({"future":{"a":[1,2,{"b":null}]},"outcome":"fallback","faq":null,"author":"bot","type":"message","seq":7,"node":"n2","ts":5,"conv":"c9","v":2,"extra":"x"})", e) == ParseStatus::ok);
  CHECK(e.author == Author::bot);
  CHECK(e.outcome == BotOutcome::fallback);
  CHECK_FALSE(e.faq);
  CHECK(e.seq == 7);
  CHECK(e.node == "n2");
}

TEST_CASE("parser: escaped and erased texts", "[parser]") {
  EventParser p;
  Event e;
  REQUIRE(p.parse(R"({"v":1,"ts":1,"node":"n","seq":1,"type":"message","conv":"c","author":"visitor","text":"a\"b\\c\u00e9\n\ud83d\ude00"})", e) == ParseStatus::ok);
  REQUIRE(e.text);
  CHECK(*e.text == "a\"b\\c\xC3\xA9\n\xF0\x9F\x98\x80");
  REQUIRE(p.parse(R"({"v":1,"ts":1,"node":"n","seq":2,"type":"message","conv":"c","author":"visitor","text":null})", e) == ParseStatus::ok);
  CHECK_FALSE(e.text);
  // An encrypted form the reader cannot read counts as erased too.
  REQUIRE(p.parse(R"({"v":1,"ts":1,"node":"n","seq":3,"type":"message","conv":"c","author":"visitor","text":{"enc":"AAAA"}})", e) == ParseStatus::ok);
  CHECK_FALSE(e.text);
}

TEST_CASE("parser: unknown type is reported as such", "[parser]") {
  EventParser p;
  Event e;
  CHECK(p.parse(R"({"v":1,"ts":1,"node":"n","seq":1,"type":"conversation.snoozed","conv":"c"})", e) == ParseStatus::unknown_type);
  CHECK(e.type_text == "conversation.snoozed");
}

TEST_CASE("parser: torn, malformed and incomplete lines are invalid", "[parser]") {
  EventParser p;
  Event e;
  CHECK(p.parse(R"({"v":1,"ts":1,"node":"n","seq":1,"type":"message","conv":"c","author":"vis)", e) == ParseStatus::invalid);
  CHECK(p.parse(R"({"v":1,"ts":1,"node":"n","seq":1,"type":"message","conv":"c"} trailing)", e) == ParseStatus::invalid);
  CHECK(p.parse(R"([1,2,3])", e) == ParseStatus::invalid);
  CHECK(p.parse("", e) == ParseStatus::invalid);
  CHECK(p.parse(R"({"v":1,"node":"n","seq":1,"type":"csat","conv":"c","score":5})", e) == ParseStatus::invalid);     // no ts
  CHECK(p.parse(R"({"v":1,"ts":1,"node":"n","type":"csat","conv":"c","score":5})", e) == ParseStatus::invalid);     // no seq
  CHECK(p.parse(R"({"v":1,"ts":"1","node":"n","seq":1,"type":"csat","conv":"c","score":5})", e) == ParseStatus::invalid);
  CHECK(p.parse(R"({"v":1,"ts":1,"node":"n","seq":1,"type":"csat","score":5})", e) == ParseStatus::invalid);  // no conv
  CHECK(p.parse(R"({"v":1,"ts":1,"node":"n","seq":1,"type":"agent.status","agent":"a","status":"away"})", e) == ParseStatus::ok);
}

TEST_CASE("parser: unescape_json_string rejects bad escapes", "[parser]") {
  std::string out;
  CHECK(unescape_json_string(R"("ok\t")", out));
  CHECK(out == "ok\t");
  CHECK_FALSE(unescape_json_string(R"("bad\q")", out));
  CHECK_FALSE(unescape_json_string(R"("\u12")", out));
  CHECK_FALSE(unescape_json_string(R"(noquotes)", out));
}
