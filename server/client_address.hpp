// client_address.hpp — the client's address when chatd sits behind a reverse proxy.
//
// X-Forwarded-For is believed only when the connection comes from a configured trusted
// proxy (--trusted-proxy CIDR); then the client is the right-most address in the header
// that is not itself a trusted proxy (the left part can be forged by the client). Used for
// login rate limits and the audit's `addr`. Pure. RelayedPeers does the same for chatd's own
// TLS front (tls_front.hpp), which relays each client over a loopback connection.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace chat::server {

struct Cidr {
    std::array<std::uint8_t, 16> net{};  // IPv4 as ::ffff:a.b.c.d
    int bits = 0;                        // prefix length over the 128-bit form
};

// "10.0.0.0/8", "192.168.1.7", "::1", "fd00::/8". nullopt when malformed.
std::optional<Cidr> parse_cidr(std::string_view text);
bool in_cidr(std::string_view address, const Cidr& c);

// The client's address: `peer` itself unless it is a trusted proxy and `forwarded_for`
// (the X-Forwarded-For header, "" when absent) names someone else.
std::string client_address(const std::string& peer, std::string_view forwarded_for, const std::vector<Cidr>& trusted);

// Which relayed loopback connection is which client. Thread-safe.
class RelayedPeers {
public:
    void add(std::uint16_t port, std::string client);
    void remove(std::uint16_t port);
    // The client behind a connection from `address`:`port`, or `address` itself.
    std::string resolve(const std::string& address, std::uint16_t port) const;

private:
    mutable std::mutex mu_;
    std::map<std::uint16_t, std::string> by_port_;
};

}  // namespace chat::server
