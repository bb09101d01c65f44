// client_address.cpp — CIDR matching with inet_pton and the X-Forwarded-For walk.
#include "client_address.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace chat::server {
namespace {

std::optional<std::array<std::uint8_t, 16>> parse_ip(std::string_view text, bool& v4) {
    std::string s(text);
    while (!s.empty() && s.back() == ' ') s.pop_back();
    while (!s.empty() && s.front() == ' ') s.erase(0, 1);
    if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
    std::array<std::uint8_t, 16> out{};
    in_addr a4;
    if (::inet_pton(AF_INET, s.c_str(), &a4) == 1) {
        out[10] = out[11] = 0xff;
        std::memcpy(out.data() + 12, &a4, 4);
        v4 = true;
        return out;
    }
    in6_addr a6;
    if (::inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
        std::memcpy(out.data(), &a6, 16);
        v4 = false;
        return out;
    }
    return std::nullopt;
}

}  // namespace

std::optional<Cidr> parse_cidr(std::string_view text) {
    const auto slash = text.find('/');
    bool v4 = false;
    auto ip = parse_ip(text.substr(0, slash), v4);
    if (!ip) return std::nullopt;
    Cidr c;
    c.net = *ip;
    c.bits = 128;
    if (slash != std::string_view::npos) {
        const std::string_view n = text.substr(slash + 1);
        int bits = -1;
        auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), bits);
        if (ec != std::errc{} || p != n.data() + n.size() || bits < 0 || bits > (v4 ? 32 : 128)) return std::nullopt;
        c.bits = v4 ? bits + 96 : bits;
    }
    return c;
}

bool in_cidr(std::string_view address, const Cidr& c) {
    bool v4 = false;
    auto ip = parse_ip(address, v4);
    if (!ip) return false;
    for (int i = 0; i < c.bits; ++i) {
        const int mask = 0x80 >> (i % 8);
        if (((*ip)[i / 8] & mask) != (c.net[i / 8] & mask)) return false;
    }
    return true;
}

std::string client_address(const std::string& peer, std::string_view forwarded_for, const std::vector<Cidr>& trusted) {
    auto is_trusted = [&](std::string_view a) {
        for (const auto& c : trusted)
            if (in_cidr(a, c)) return true;
        return false;
    };
    if (trusted.empty() || forwarded_for.empty() || !is_trusted(peer)) return peer;
    std::string client = peer;
    while (!forwarded_for.empty()) {
        const auto comma = forwarded_for.rfind(',');
        std::string_view hop = comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1);
        forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
        while (!hop.empty() && hop.front() == ' ') hop.remove_prefix(1);
        while (!hop.empty() && hop.back() == ' ') hop.remove_suffix(1);
        bool v4 = false;
        if (!parse_ip(hop, v4)) break;  // garbage: stop at the last address we could believe
        client = std::string(hop);
        if (!is_trusted(hop)) break;
    }
    return client;
}

void RelayedPeers::add(std::uint16_t port, std::string client) {
    std::lock_guard lock(mu_);
    by_port_[port] = std::move(client);
}

void RelayedPeers::remove(std::uint16_t port) {
    std::lock_guard lock(mu_);
    by_port_.erase(port);
}

std::string RelayedPeers::resolve(const std::string& address, std::uint16_t port) const {
    std::lock_guard lock(mu_);
    if (by_port_.empty() || address != "127.0.0.1") return address;
    auto it = by_port_.find(port);
    return it == by_port_.end() ? address : it->second;
}

}  // namespace chat::server
