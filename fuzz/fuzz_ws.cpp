// fuzz_ws.cpp — the visitor loop's WebSocket frame reader (server/ws_codec.cpp) on arbitrary
// bytes, as a client may send them: every frame it reports lies inside the input, and encoding
// it again (with the mask the client used) gives back exactly the bytes it was read from; what
// it refuses or waits for more of, it never reads past.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "ws_codec.hpp"

namespace ws = chat::server::ws;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string orig(reinterpret_cast<const char*>(data), size);
    std::string buf = orig;
    const std::size_t max = 4096;
    std::size_t at = 0;
    while (at < buf.size()) {
        ws::ClientFrame f;
        std::size_t used = 0;
        const ws::Read r = ws::read_client_frame(buf.data() + at, buf.size() - at, max, f, used);
        if (r != ws::Read::frame) break;
        if (used == 0 || used > buf.size() - at) std::abort();
        const char* begin = buf.data() + at;
        if (f.payload.data() < begin || f.payload.data() + f.payload.size() != begin + used) std::abort();
        if (f.payload.size() > max) std::abort();
        if (f.opcode >= 8 && (!f.fin || f.payload.size() > 125)) std::abort();
        // Encode it again, masked as the client masked it: the same bytes.
        const std::size_t header = used - 4 - f.payload.size();
        const std::string mask = orig.substr(at + header, 4);
        std::string again;
        ws::append_client_frame(again, static_cast<std::uint8_t>((f.fin ? 0x80 : 0) | f.opcode), f.payload,
                                reinterpret_cast<const unsigned char*>(mask.data()));
        if (again != orig.substr(at, used)) std::abort();
        at += used;
    }
    return 0;
}
