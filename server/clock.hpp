// clock.hpp — the wall clock in the event log's unit: milliseconds since the Unix epoch, UTC.
//
// The pure parts (router, bot, kpi) never read a clock; the server's edges read this one and
// pass the time in.
#pragma once

#include <chrono>
#include <cstdint>

namespace chat::server {

inline std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace chat::server
