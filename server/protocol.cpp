// protocol.cpp — frame parsing and building with nlohmann::json.
//
// Every client frame is read by simdjson (its SIMD parser costs a fraction of nlohmann's) and
// copied into the nlohmann::json value the sessions and the router use, value for value what
// nlohmann's own parser makes of the same text. Whatever simdjson refuses, or might read
// differently (numbers out of its range, -0, nesting past its depth), is left to nlohmann's
// parser, so the verdict on bad input and its error are nlohmann's as before.
#include "protocol.hpp"

#include <cmath>
#include <cstring>

#include <simdjson.h>

namespace chat::server {

using json = nlohmann::json;

namespace {
namespace dom = simdjson::dom;

// The element as nlohmann's parser would give it; false when not sure (the caller then parses
// with nlohmann). Duplicate keys: the last wins, as in nlohmann. `minus_zero`: the text holds
// "-0", which nlohmann reads as a signed integer and simdjson as 0 or -0.0.
bool copy_value(dom::element el, json& out, bool minus_zero) {
    switch (el.type()) {
    case dom::element_type::OBJECT: {
        out = json(json::value_t::object);
        for (dom::key_value_pair kv : dom::object(el)) {
            json& slot = out[std::string(kv.key)];
            if (!copy_value(kv.value, slot, minus_zero)) return false;
        }
        return true;
    }
    case dom::element_type::ARRAY: {
        out = json(json::value_t::array);
        for (dom::element item : dom::array(el)) {
            out.push_back(json());
            if (!copy_value(item, out.back(), minus_zero)) return false;
        }
        return true;
    }
    case dom::element_type::STRING: out = std::string(std::string_view(el)); return true;
    case dom::element_type::INT64: {
        // nlohmann keeps numbers written without a sign as unsigned.
        const std::int64_t v = std::int64_t(el);
        if (v == 0 && minus_zero) return false;
        if (v >= 0) out = static_cast<std::uint64_t>(v);
        else out = v;
        return true;
    }
    case dom::element_type::UINT64: out = std::uint64_t(el); return true;
    case dom::element_type::DOUBLE: {
        const double d = double(el);
        if (d == 0 && std::signbit(d)) return false;  // "-0" is an integer to nlohmann
        out = d;
        return true;
    }
    case dom::element_type::BOOL: out = bool(el); return true;
    case dom::element_type::NULL_VALUE: out = nullptr; return true;
    }
    return false;
}

bool fast_parse(std::string_view text, json& out) {
    thread_local dom::parser parser;
    thread_local std::string padded;
    if (padded.size() < text.size() + simdjson::SIMDJSON_PADDING) padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
    if (!text.empty()) std::memcpy(padded.data(), text.data(), text.size());
    dom::element root;
    if (parser.parse(padded.data(), text.size(), false).get(root)) return false;
    return copy_value(root, out, text.find("-0") != std::string_view::npos);
}
}  // namespace

std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

json parse_json(std::string_view text) {
    json out;
    if (!fast_parse(text, out)) out = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    return out;
}

std::optional<Frame> parse_frame(std::string_view text, std::size_t max_text_chars, FrameError& err) {
    json body = parse_json(text);
    if (body.is_discarded()) {
        err = {"bad_json", "frame is not valid JSON"};
        return std::nullopt;
    }
    if (!body.is_object()) {
        err = {"bad_request", "frame must be a JSON object"};
        return std::nullopt;
    }
    auto t = body.find("type");
    if (t == body.end() || !t->is_string() || t->get_ref<const std::string&>().empty()) {
        err = {"bad_request", "frame needs a non-empty string \"type\""};
        return std::nullopt;
    }
    if (auto tx = body.find("text"); tx != body.end()) {
        if (!tx->is_string()) {
            err = {"bad_request", "\"text\" must be a string"};
            return std::nullopt;
        }
        if (utf8_length(tx->get_ref<const std::string&>()) > max_text_chars) {
            err = {"too_large", "text longer than " + std::to_string(max_text_chars) + " characters"};
            return std::nullopt;
        }
    }
    Frame f;
    f.type = t->get<std::string>();
    f.body = std::move(body);
    return f;
}

std::string error_frame(std::string_view code, std::string_view message) {
    return json{{"type", "error"}, {"code", code}, {"message", message}}.dump();
}

std::string welcome_frame(std::string_view visitor, std::string_view token, const std::optional<std::string>& conv,
                          std::uint64_t last_seq) {
    json j{{"type", "welcome"}, {"visitor", visitor}, {"token", token}, {"last_seq", last_seq}};
    j["conv"] = conv ? json(*conv) : json(nullptr);
    return j.dump();
}

}  // namespace chat::server
