// Unit tests of frame parsing and building (server/protocol.cpp).
#include <catch2/catch.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

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

namespace {
// Same value and same kinds of number throughout (nlohmann's == calls 1u and 1 equal).
bool same(const json& a, const json& b) {
    if (a.type() != b.type()) return false;
    if (a.is_object()) {
        if (a.size() != b.size()) return false;
        for (auto it = a.begin(); it != a.end(); ++it)
            if (!b.contains(it.key()) || !same(it.value(), b.at(it.key()))) return false;
        return true;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!same(a[i], b[i])) return false;
        return true;
    }
    if (a.is_number_float()) return std::memcmp(&a.get_ref<const double&>(), &b.get_ref<const double&>(), sizeof(double)) == 0;
    return a == b;
}

// What nlohmann's parser alone made of a frame: the body, or the error.
void check_like_nlohmann(const std::string& text) {
    INFO("frame: " << json(text).dump(-1, ' ', true, json::error_handler_t::replace));
    FrameError err;
    auto f = parse_frame(text, 1'000'000, err);
    json want = json::parse(text, nullptr, false);
    if (want.is_discarded()) {
        REQUIRE_FALSE(f);
        CHECK(err.code == "bad_json");
        CHECK(err.message == "frame is not valid JSON");
        return;
    }
    if (!want.is_object() || !want.contains("type") || !want["type"].is_string() || want["type"].get<std::string>().empty() ||
        (want.contains("text") && !want["text"].is_string())) {
        REQUIRE_FALSE(f);
        CHECK(err.code == "bad_request");
        return;
    }
    REQUIRE(f);
    CHECK(same(f->body, want));
    CHECK(f->type == want["type"].get<std::string>());
}
}  // namespace

TEST_CASE("frames read exactly as nlohmann reads them: values, kinds of numbers, and every refusal") {
    const std::vector<std::string> cases = {
        R"({"type":"csat","score":5})", R"({"type":"csat","score":-3})", R"({"type":"nps","score":-0})",
        R"({"type":"nps","score":-0.0})", R"({"type":"x","n":0.1,"m":1E+2,"k":1.5e3,"z":0})",
        R"({"type":"x","big":18446744073709551615,"over":18446744073709551616,"neg":-9223372036854775808})",
        R"({"type":"x","under":-9223372036854775809,"mid":9223372036854775808,"huge":1e400,"tiny":1e-400})",
        R"({"type":"a","type":"b"})", R"({"type":"x","text":"dup","text":7})", R"({"type":"x","s":"\ud800"})",
        R"({"type":"x","s":"\ud83d\ude00 \u00e9 \u0000 \n \" \\ \/"})", "\xEF\xBB\xBF{\"type\":\"bom\"}",
        "{\"type\":\"x\",\"s\":\"\xff\"}", "{\"type\":\"x\",\"s\":\"\xc3\"}", "", "   ", "{} x", "{}", "[]", "null",
        "\"message\"", R"({"type":"x","a":[1,[2,{"b":null}],true,false,"s"],"o":{"p":{}}})", "{\"type\":\"x\"}\n",
        R"({"type":"message","text":"bonjour","client_id":"c1","faq":"returns"})", R"({"type" : "x" , })",
        R"({'type':'x'})", R"({"type":"x","n":01})", R"({"type":"x","n":1.})", R"({"type":"x","n":.5})",
        R"({"type":"x","n":NaN})", R"({"type":"x","t":tru})",
    };
    for (const auto& c : cases) check_like_nlohmann(c);
    // Nesting deeper than simdjson's limit: nlohmann decides.
    check_like_nlohmann("{\"type\":\"deep\",\"a\":" + std::string(3000, '[') + std::string(3000, ']') + "}");
    // The fuzzer's corpus of frames.
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(CHAT_FRAME_CORPUS)) {
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream s;
        s << in.rdbuf();
        check_like_nlohmann(s.str());
        ++n;
    }
    CHECK(n > 100);
}
