// frame.cpp — reading a frame's top-level fields with simdjson's DOM parser.
#include "frame.hpp"

#include <simdjson.h>

namespace chat::bench {

bool parse_frame(std::string_view text, Frame& out) {
    thread_local simdjson::dom::parser parser;
    out = Frame{};
    simdjson::dom::object obj;
    if (parser.parse(text.data(), text.size(), true).get_object().get(obj)) return false;
    for (auto [key, value] : obj) {
        std::string_view s;
        if (value.is_string()) s = value.get_string().value_unsafe();
        if (key == "type") out.type = s;
        else if (key == "author") out.author = s;
        else if (key == "client_id") out.client_id = s;
        else if (key == "conv") out.conv = s;
        else if (key == "stage") out.stage = s;
        else if (key == "token") out.token = s;
        else if (key == "outcome") out.outcome = s;
        else if (key == "for") out.for_ = s;
        else if (key == "code") out.code = s;
        else if (key == "text") out.text = s;
        else if (key == "msg") out.msg = s;
        else if (key == "seq" && value.is_uint64()) { out.seq = value.get_uint64().value_unsafe(); out.has_seq = true; }
        else if (key == "seq" && value.is_int64()) { out.seq = static_cast<std::uint64_t>(value.get_int64().value_unsafe()); out.has_seq = true; }
        else if (key == "last_seq" && value.is_int64()) out.last_seq = static_cast<std::uint64_t>(value.get_int64().value_unsafe());
    }
    return true;
}

}  // namespace chat::bench
