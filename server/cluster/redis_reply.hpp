// redis_reply.hpp — a Redis reply as a plain value, and the errors of the Redis connection.
//
// hiredis frees its replies once the callback returns, so each one is copied into a Reply the
// caller may keep. Two kinds of failure are kept apart: Redis answered with an error (the
// command ran, or was refused: Reply::Type::error, with Redis's message in `str`), and no
// answer will ever come (a non-empty std::error_code from redis_category(): the connection is
// down, was lost while the command was pending, or the client was stopped). A command never
// ends in silence: its callback runs exactly once, with a reply or with one of these codes.
#pragma once

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

namespace chat::cluster {

struct Reply {
    enum class Type { nil, status, error, integer, string, array };
    Type type = Type::nil;
    std::string str;  // status, error and string replies (binary safe)
    long long integer = 0;
    std::vector<Reply> elements;

    bool is_error() const { return type == Type::error; }
    bool is_nil() const { return type == Type::nil; }
    // For tests and logs: "OK", "(integer) 3", "[a, b]", "(error) ERR …", "(nil)".
    std::string describe() const;
};

enum class RedisErrc {
    not_connected = 1,  // the command was refused at once: no connection to Redis right now
    connection_lost,    // the connection broke while the command was pending: its fate is unknown
    stopped,            // the client was stopped before an answer came
    bad_reply,          // Redis answered something the caller did not expect
};
const std::error_category& redis_category();
inline std::error_code make_error_code(RedisErrc e) { return {static_cast<int>(e), redis_category()}; }

}  // namespace chat::cluster

template <>
struct std::is_error_code_enum<chat::cluster::RedisErrc> : std::true_type {};
