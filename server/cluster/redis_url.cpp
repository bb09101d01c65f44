// redis_url.cpp — parsing redis://[:PASSWORD@]HOST:PORT[/DB].
#include "redis_url.hpp"

#include <charconv>

namespace chat::cluster {

namespace {
template <class T>
bool to_number(std::string_view s, T& out) {
    if (s.empty()) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size();
}
}  // namespace

RedisUrl RedisUrl::parse(const std::string& url) {
    const std::string scheme = "redis://";
    auto bad = [&](const std::string& why) {
        return std::invalid_argument("expected redis://[:PASSWORD@]HOST:PORT[/DB], got '" + url + "': " + why);
    };
    if (url.rfind(scheme, 0) != 0) throw bad("not a redis:// URL");
    std::string_view rest(url);
    rest.remove_prefix(scheme.size());
    RedisUrl u;
    if (auto at = rest.rfind('@'); at != std::string_view::npos) {
        auto auth = rest.substr(0, at);
        if (auth.empty() || auth[0] != ':') throw bad("the password goes after a ':' (redis://:PASSWORD@HOST:PORT)");
        u.password = std::string(auth.substr(1));
        rest.remove_prefix(at + 1);
    }
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        if (!to_number(rest.substr(slash + 1), u.db) || u.db < 0) throw bad("the database is not a number");
        rest = rest.substr(0, slash);
    }
    std::string_view host, port;
    if (!rest.empty() && rest[0] == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos) throw bad("unclosed '['");
        host = rest.substr(1, close - 1);
        rest.remove_prefix(close + 1);
        if (rest.empty() || rest[0] != ':') throw bad("no port");
        port = rest.substr(1);
    } else {
        auto colon = rest.rfind(':');
        if (colon == std::string_view::npos) throw bad("no port");
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty()) throw bad("no host");
    unsigned p = 0;
    if (!to_number(port, p) || p == 0 || p > 65535) throw bad("the port is not a number in 1..65535");
    u.host = std::string(host);
    u.port = static_cast<std::uint16_t>(p);
    return u;
}

std::string RedisUrl::describe() const {
    std::string out = "redis://";
    if (!password.empty()) out += ":***@";
    if (host.find(':') != std::string::npos) out.append("[").append(host).append("]");
    else out += host;
    out.append(":").append(std::to_string(port));
    if (db) out.append("/").append(std::to_string(db));
    return out;
}

}  // namespace chat::cluster
