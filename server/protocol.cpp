// protocol.cpp — frame parsing and building with nlohmann::json.
//
// Every client frame is read by simdjson and copied into the nlohmann::json value the sessions
// and the router use, value for value what nlohmann's own parser makes of the same text
// (router::parse_json, json_in.hpp), so the verdict on bad input is nlohmann's.
#include "protocol.hpp"

#include "json_in.hpp"

namespace chat::server {

using json = nlohmann::json;

std::size_t utf8_length(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::optional<Frame> parse_frame(std::string_view text, std::size_t max_text_chars, FrameError& err) {
    json body = router::parse_json(text);
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
