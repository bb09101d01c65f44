// Unit tests of frame parsing and building (server/protocol.cpp).
#include <catch2/catch.hpp>

#include "protocol.hpp"

using namespace chat::server;
using nlohmann::json;

TEST_CASE("a well-formed frame parses") {
    FrameError err;
    auto f = parse_frame(R"({"type":"message","text":"bonjour","client_id":"c1"})", 4000, err);
    REQUIRE(f);
    CHECK(f->type == "message");
    CHECK(f->body["client_id"] == "c1");
}

TEST_CASE("bad frames get the spec's error codes") {
    FrameError err;
    CHECK_FALSE(parse_frame("{not json", 4000, err));
    CHECK(err.code == "bad_json");
    CHECK_FALSE(parse_frame("[1,2]", 4000, err));
    CHECK(err.code == "bad_request");
    CHECK_FALSE(parse_frame(R"({"text":"no type"})", 4000, err));
    CHECK(err.code == "bad_request");
    CHECK_FALSE(parse_frame(R"({"type":7})", 4000, err));
    CHECK(err.code == "bad_request");
    CHECK_FALSE(parse_frame(R"({"type":"","client_id":"x"})", 4000, err));  // found by fuzz_frame
    CHECK(err.code == "bad_request");
    CHECK_FALSE(parse_frame(R"({"type":"message","text":42})", 4000, err));
    CHECK(err.code == "bad_request");
    CHECK_FALSE(parse_frame(R"({"type":"message","text":"12345"})", 4, err));
    CHECK(err.code == "too_large");
}

TEST_CASE("text length is counted in characters, not bytes") {
    FrameError err;
    CHECK(parse_frame(R"({"type":"message","text":"éàü"})", 3, err));
    CHECK(utf8_length("日本語") == 3);
}

TEST_CASE("server frames are valid JSON with the spec's fields") {
    json e = json::parse(error_frame("bad_json", "frame is not valid JSON"));
    CHECK(e == json{{"type", "error"}, {"code", "bad_json"}, {"message", "frame is not valid JSON"}});
    json w = json::parse(welcome_frame("v1", "tok", std::nullopt, 0));
    CHECK(w["type"] == "welcome");
    CHECK(w["visitor"] == "v1");
    CHECK(w["token"] == "tok");
    CHECK(w["conv"].is_null());
    CHECK(w["last_seq"] == 0);
    CHECK(json::parse(welcome_frame("v1", "tok", std::string("c9"), 12))["conv"] == "c9");
}
