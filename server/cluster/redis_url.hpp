// redis_url.hpp — where a node's Redis is: the `--redis` URL taken apart.
//
// The form is the one docs/cli.md gives, redis://[:PASSWORD@]HOST:PORT[/DB], with IPv6
// hosts in brackets. Pure: no sockets, so it is unit tested directly.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace chat::cluster {

struct RedisUrl {
    std::string host = "127.0.0.1";
    std::uint16_t port = 6379;
    std::string password;  // empty = no AUTH
    int db = 0;            // SELECT when not 0

    // Throws std::invalid_argument naming what is wrong.
    static RedisUrl parse(const std::string& url);
    // The URL with the password masked, for logs and /healthz.
    std::string describe() const;
};

}  // namespace chat::cluster
