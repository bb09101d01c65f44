// tls_front.hpp — HTTPS and WSS on --listen when a certificate and key are configured.
//
// TLS is terminated in front of the one plain session code path, inside chatd: the front
// accepts on --listen, completes the TLS handshake (10 s at most), then relays the decrypted
// bytes to chatd's own HTTP listener on a private loopback port, and back. The sessions stay
// untemplated and the plain path is untouched. The front records which loopback port speaks
// for which client (RelayedPeers), so connection limits, login limits and audits see the real
// client address. Settings: TLS 1.2 and 1.3 only, forward-secret AEAD suites for 1.2, no
// compression, no renegotiation, no session tickets.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "net.hpp"
#include "client_address.hpp"
#include "shared_state.hpp"

namespace chat::server {

class TlsFront : public std::enable_shared_from_this<TlsFront> {
public:
    // Loads the certificate chain and key (std::runtime_error naming the file on failure),
    // binds `public_endpoint` (boost::system::system_error) and relays to `inner`.
    TlsFront(net::io_context& ioc, const tcp::endpoint& public_endpoint, const tcp::endpoint& inner,
             const std::filesystem::path& cert, const std::filesystem::path& key, std::shared_ptr<SharedState> state,
             RelayedPeers& peers);
    ~TlsFront();

    void run();
    void stop();
    tcp::endpoint local_endpoint() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    void do_accept();
};

}  // namespace chat::server
