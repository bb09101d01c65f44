// tls_front.cpp — the TLS accept loop and one relay per connection.
#include "tls_front.hpp"

#include <array>
#include <iostream>

#include <boost/asio/ssl.hpp>
#include <openssl/ssl.h>

namespace chat::server {

namespace ssl = boost::asio::ssl;

namespace {

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr std::size_t kChunk = 16 * 1024;

// One client: TLS outside, plain TCP to chatd's own listener inside.
class Relay : public std::enable_shared_from_this<Relay> {
public:
    Relay(tcp::socket socket, ssl::context& ctx, tcp::endpoint inner, RelayedPeers& peers)
        : outer_(std::move(socket), ctx), inner_(outer_.get_executor()), timer_(outer_.get_executor()),
          inner_endpoint_(inner), peers_(peers) {}
    ~Relay() {
        if (port_) peers_.remove(port_);
    }

    void run() {
        error_code ec;
        const auto ep = outer_.next_layer().remote_endpoint(ec);
        if (ec) return;
        client_ = ep.address().to_string();
        timer_.expires_after(kHandshakeTimeout);
        timer_.async_wait([self = shared_from_this()](error_code e) {
            if (!e) self->close_all();  // a client that never completes the handshake
        });
        outer_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code e) { self->on_handshake(e); });
    }

private:
    void on_handshake(error_code ec) {
        timer_.cancel();
        if (ec) return close_all();
        // Bind first, so the port is registered before chatd's listener can see the connection.
        inner_.open(inner_endpoint_.protocol(), ec);
        if (!ec) inner_.bind(tcp::endpoint(inner_endpoint_.address(), 0), ec);
        if (ec) return close_all();
        port_ = inner_.local_endpoint(ec).port();
        peers_.add(port_, client_);
        inner_.async_connect(inner_endpoint_, [self = shared_from_this()](error_code e) {
            if (e) return self->close_all();
            self->pump_in();
            self->pump_out();
        });
    }

    // Client -> chatd.
    void pump_in() {
        outer_.async_read_some(net::buffer(in_), [self = shared_from_this()](error_code ec, std::size_t n) {
            if (ec) {
                error_code ignored;
                self->inner_.shutdown(tcp::socket::shutdown_send, ignored);  // chatd sees the end, then closes
                return;
            }
            net::async_write(self->inner_, net::buffer(self->in_, n), [self](error_code e, std::size_t) {
                if (e) return self->close_all();
                self->pump_in();
            });
        });
    }

    // chatd -> client.
    void pump_out() {
        inner_.async_read_some(net::buffer(out_), [self = shared_from_this()](error_code ec, std::size_t n) {
            if (ec) return self->finish();
            net::async_write(self->outer_, net::buffer(self->out_, n), [self](error_code e, std::size_t) {
                if (e) return self->close_all();
                self->pump_out();
            });
        });
    }

    // chatd closed its side: say close_notify, then close (bounded in time).
    void finish() {
        timer_.expires_after(std::chrono::seconds(2));
        timer_.async_wait([self = shared_from_this()](error_code e) {
            if (!e) self->close_all();
        });
        outer_.async_shutdown([self = shared_from_this()](error_code) { self->close_all(); });
    }

    void close_all() {
        error_code ignored;
        timer_.cancel();
        outer_.next_layer().close(ignored);
        inner_.close(ignored);
    }

    ssl::stream<tcp::socket> outer_;
    tcp::socket inner_;
    net::steady_timer timer_;
    tcp::endpoint inner_endpoint_;
    RelayedPeers& peers_;
    std::string client_;
    std::uint16_t port_ = 0;
    std::array<char, kChunk> in_{}, out_{};
};

}  // namespace

struct TlsFront::Impl {
    net::io_context& ioc;
    ssl::context ctx{ssl::context::tls_server};
    tcp::acceptor acceptor;
    tcp::endpoint inner;
    std::shared_ptr<SharedState> state;
    RelayedPeers& peers;
    Impl(net::io_context& io, tcp::endpoint in, std::shared_ptr<SharedState> s, RelayedPeers& p)
        : ioc(io), acceptor(net::make_strand(io)), inner(in), state(std::move(s)), peers(p) {}
};

TlsFront::TlsFront(net::io_context& ioc, const tcp::endpoint& public_endpoint, const tcp::endpoint& inner,
                   const std::filesystem::path& cert, const std::filesystem::path& key, std::shared_ptr<SharedState> state,
                   RelayedPeers& peers)
    : impl_(std::make_unique<Impl>(ioc, inner, std::move(state), peers)) {
    auto& ctx = impl_->ctx;
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                    ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                    ssl::context::single_dh_use);
    SSL_CTX* native = ctx.native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20");
    error_code ec;
    ctx.use_certificate_chain_file(cert.string(), ec);
    if (ec) throw std::runtime_error("--tls-cert: cannot load " + cert.string() + ": " + ec.message());
    ctx.use_private_key_file(key.string(), ssl::context::pem, ec);
    if (ec) throw std::runtime_error("--tls-key: cannot load " + key.string() + ": " + ec.message());
    if (SSL_CTX_check_private_key(native) != 1)
        throw std::runtime_error("--tls-key: " + key.string() + " does not match the certificate " + cert.string());
    auto& a = impl_->acceptor;
    a.open(public_endpoint.protocol());
    a.set_option(net::socket_base::reuse_address(true));
    a.bind(public_endpoint);
    a.listen(net::socket_base::max_listen_connections);
}

TlsFront::~TlsFront() = default;

void TlsFront::run() { do_accept(); }

void TlsFront::stop() {
    net::post(impl_->acceptor.get_executor(), [self = shared_from_this()] {
        error_code ignored;
        self->impl_->acceptor.close(ignored);
    });
}

tcp::endpoint TlsFront::local_endpoint() const { return impl_->acceptor.local_endpoint(); }

void TlsFront::do_accept() {
    impl_->acceptor.async_accept(net::make_strand(impl_->ioc), [self = shared_from_this()](error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !self->impl_->acceptor.is_open()) return;
        if (!ec) {
            std::make_shared<Relay>(std::move(socket), self->impl_->ctx, self->impl_->inner, self->impl_->peers)->run();
            return self->do_accept();
        }
        std::cerr << "chatd: accept (TLS): " << ec.message() << '\n';
        auto timer = std::make_shared<net::steady_timer>(self->impl_->acceptor.get_executor(), std::chrono::milliseconds(50));
        timer->async_wait([self, timer](error_code) { self->do_accept(); });
    });
}

}  // namespace chat::server
