// fuzz_frame.cpp — any bytes a client can send as a WebSocket text frame go through
// parse_frame: it must return a frame or a FrameError with one of the spec's codes, never
// crash, and an accepted frame must be an object with a string type and a bounded text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chat::server;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    FrameError err;
    auto frame = parse_frame(text, 200, err);
    if (frame) {
        if (!frame->body.is_object() || frame->type.empty()) std::abort();
        if (auto t = frame->body.find("text"); t != frame->body.end() && t->is_string() &&
                                                utf8_length(t->get_ref<const std::string&>()) > 200)
            std::abort();
        (void)error_frame(frame->type, "echo");  // serialising what we accepted must work too
    } else if (err.code.empty()) {
        std::abort();  // a refusal always says why
    }
    return 0;
}
