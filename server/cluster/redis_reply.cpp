// redis_reply.cpp — describing replies, and the Redis error category's messages.
#include "redis_reply.hpp"

namespace chat::cluster {

std::string Reply::describe() const {
    switch (type) {
    case Type::nil: return "(nil)";
    case Type::status: return str;
    case Type::error: return "(error) " + str;
    case Type::integer: return "(integer) " + std::to_string(integer);
    case Type::string: return str;
    case Type::array: {
        std::string out = "[";
        for (std::size_t i = 0; i < elements.size(); ++i) out += (i ? ", " : "") + elements[i].describe();
        return out + "]";
    }
    }
    return "?";
}

namespace {
struct Category : std::error_category {
    const char* name() const noexcept override { return "redis"; }
    std::string message(int c) const override {
        switch (static_cast<RedisErrc>(c)) {
        case RedisErrc::not_connected: return "not connected to Redis";
        case RedisErrc::connection_lost: return "connection to Redis lost before the reply";
        case RedisErrc::stopped: return "Redis client stopped";
        case RedisErrc::bad_reply: return "unexpected reply from Redis";
        }
        return "unknown Redis error";
    }
};
}  // namespace

const std::error_category& redis_category() {
    static const Category c;
    return c;
}

}  // namespace chat::cluster
