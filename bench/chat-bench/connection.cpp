// connection.cpp — connect and upgrade with Beast, then the frames of one connection: reading
// whole frames from each read, answering pings and closes, writing a turn's frames at once.
#include "connection.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace chat::bench {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::uint64_t kMaxMessage = 16 * 1024 * 1024;

// Mask keys: a fast generator seeded once (xorshift64*); the server only needs them to vary.
std::uint32_t next_mask() {
    static std::uint64_t s = std::random_device{}() | (std::uint64_t{std::random_device{}()} << 32) | 1;
    for (;;) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        if (auto m = static_cast<std::uint32_t>((s * 0x2545F4914F6CDD1DULL) >> 32)) return m;
    }
}

}  // namespace

// What Beast holds while connecting and upgrading: the stream, the request with its key, the
// response and the buffer it was read into (which may already hold the first frames).
struct Connection::Upgrade {
    explicit Upgrade(net::io_context& ioc) : stream(ioc) {}
    beast::tcp_stream stream;
    std::string key;
    http::request<http::empty_body> req;
    http::response<http::string_body> res;
    beast::flat_buffer buffer;
};

Connection::Connection(net::io_context& ioc, Loop& loop, Run& run) : ioc_(ioc), loop_(loop), run_(run) {}

Connection::~Connection() {
    if (fd_ >= 0) ::close(fd_);
}

void Connection::connect(const std::string& source, std::string target) {
    ++gen_;  // handlers of an earlier attempt see a stale generation and do nothing
    up_ = std::make_unique<Upgrade>(ioc_);
    out_.clear();
    out_at_ = 0;
    tail_.clear();
    message_.clear();
    in_turn_ = write_blocked_ = open_ = down_ = false;
    auto& sock = up_->stream.socket();
    beast::error_code ec;
    sock.open(tcp::v4(), ec);
    if (!ec && !source.empty()) {
        // Let connect() pick the port per destination, so one source address serves ~28,000
        // connections to each server port instead of sharing one pool with every bind.
        int one = 1;
        ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
        sock.bind(tcp::endpoint(net::ip::make_address(source, ec), 0), ec);
    }
    if (ec) {
        run_.c.connect_failures++;
        return down();
    }
    // The request Beast's websocket::stream::async_handshake writes, field for field.
    auto& req = up_->req;
    req.method(http::verb::get);
    req.target(target);
    req.version(11);
    req.set(http::field::host, run_.opt.host + ":" + std::to_string(run_.opt.port));
    req.set(http::field::upgrade, "websocket");
    req.set(http::field::connection, "upgrade");
    up_->key = ws::make_key();
    req.set(http::field::sec_websocket_key, up_->key);
    req.set(http::field::sec_websocket_version, "13");

    tcp::endpoint server(net::ip::make_address(run_.opt.host), run_.opt.port);
    up_->stream.expires_after(std::chrono::seconds(20));
    auto failed = [](Connection& c) {
        c.run_.c.connect_failures++;
        c.down();
    };
    up_->stream.async_connect(server, [self = shared_from_this(), g = gen_, failed](beast::error_code ec) {
        if (g != self->gen_) return;
        if (ec) return failed(*self);
        http::async_write(self->up_->stream, self->up_->req, [self, g, failed](beast::error_code ec, std::size_t) {
            if (g != self->gen_) return;
            if (ec) return failed(*self);
            http::async_read(self->up_->stream, self->up_->buffer, self->up_->res, [self, g, failed](beast::error_code ec, std::size_t) {
                if (g != self->gen_) return;
                if (ec) return failed(*self);
                // The checks of Beast's client handshake (websocket::stream's on_response).
                const auto& res = self->up_->res;
                const std::string accept = ws::accept_for(self->up_->key);
                if (res.result() != http::status::switching_protocols || res.version() != 11 ||
                    !http::token_list{res[http::field::connection]}.exists("upgrade") ||
                    !http::token_list{res[http::field::upgrade]}.exists("websocket") ||
                    res[http::field::sec_websocket_accept] != accept)
                    return failed(*self);
                beast::error_code ignored;
                self->up_->stream.expires_never();
                auto& sock = self->up_->stream.socket();
                sock.set_option(tcp::no_delay(true), ignored);
                const std::string early(static_cast<const char*>(self->up_->buffer.cdata().data()), self->up_->buffer.size());
                const int fd = sock.release(ignored);
                if (ignored || fd < 0) return failed(*self);
                self->opened(fd, early);
            });
        });
    });
}

void Connection::opened(int fd, std::string_view early) {
    // Beast's stream goes once its read operation, which called us, has returned.
    net::post(ioc_, [self = shared_from_this(), g = gen_] {
        if (g == self->gen_) self->up_.reset();
    });
    fd_ = fd;
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    if (!loop_.add(fd_, this)) {
        run_.c.connect_failures++;
        return down();
    }
    open_ = true;
    run_.c.connections++;
    in_turn_ = true;
    on_open();
    if (!down_ && !early.empty()) take(early);  // frames that came with the upgrade response
    in_turn_ = false;
    if (!down_) flush();
}

void Connection::on_ready(bool readable, bool writable) {
    if (down_) return;
    if (writable) {
        on_writable();
        if (down_) return;
    }
    if (!readable) return;
    auto& buf = loop_.scratch();
    if (buf.size() < tail_.size() + 64 * 1024) buf.resize(tail_.size() + 64 * 1024);
    std::memcpy(buf.data(), tail_.data(), tail_.size());
    const ssize_t n = ::recv(fd_, buf.data() + tail_.size(), buf.size() - tail_.size(), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) return down();  // the server closed the connection, or it broke
    const std::size_t have = tail_.size() + static_cast<std::size_t>(n);
    tail_.clear();
    in_turn_ = true;
    take(std::string_view(buf.data(), have));
    in_turn_ = false;
    if (!down_) flush();
}

void Connection::take(std::string_view bytes) {
    while (!bytes.empty()) {
        ws::Frame f;
        std::size_t used = 0;
        const auto r = ws::parse(bytes, kMaxMessage - message_.size(), f, used);
        if (r == ws::Parse::bad) return down();
        if (r == ws::Parse::need_more) break;
        bytes.remove_prefix(used);
        if (!handle(f)) return;
    }
    tail_.assign(bytes.data(), bytes.size());
}

bool Connection::handle(const ws::Frame& f) {
    switch (f.op) {
    case ws::ping:
        queue(ws::pong, f.payload);
        return true;
    case ws::pong:
        return true;
    case ws::close:
        // Answer with the server's status code (as Beast does), then end the connection.
        queue(ws::close, f.payload.substr(0, std::min<std::size_t>(f.payload.size(), 2)));
        flush();
        down();
        return false;
    case ws::text:
    case ws::binary:
        if (assembling_) break;  // a new message before the last one's final fragment
        if (f.fin) {
            on_frame(f.payload);
            return !down_;
        }
        assembling_ = true;
        message_.assign(f.payload.data(), f.payload.size());
        return true;
    case ws::continuation:
        if (!assembling_) break;
        message_.append(f.payload.data(), f.payload.size());
        if (!f.fin) return true;
        assembling_ = false;
        on_frame(message_);
        message_.clear();
        return !down_;
    }
    down();
    return false;
}

void Connection::queue(ws::Opcode op, std::string_view payload) {
    if (out_at_ == out_.size()) {
        out_.clear();
        out_at_ = 0;
    }
    ws::append_frame(out_, op, payload, next_mask());
}

void Connection::send(std::string_view text) {
    if (!open_ || down_) return;
    queue(ws::text, text);
    if (!in_turn_) flush();
}

void Connection::leave() {
    if (!open_ || down_) return;
    const char code[2] = {static_cast<char>(1000 >> 8), static_cast<char>(1000 & 0xff)};
    queue(ws::close, std::string_view(code, 2));
    flush();
    open_ = false;  // left, not ended by the server: not counted as a disconnect
    run_.c.connections--;
    down();
}

void Connection::flush() {
    if (write_blocked_ || fd_ < 0) return;
    while (out_at_ < out_.size()) {
        const ssize_t n = ::send(fd_, out_.data() + out_at_, out_.size() - out_at_, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            out_at_ += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            // The socket's buffer is full: the rest leaves when it is writable again.
            write_blocked_ = true;
            if (!loop_.watch_write(fd_, this, true)) down();
            return;
        }
        return down();
    }
    out_.clear();
    out_at_ = 0;
}

void Connection::on_writable() {
    write_blocked_ = false;
    flush();
    if (!down_ && !write_blocked_ && !loop_.watch_write(fd_, this, false)) down();
}

void Connection::down() {
    if (down_) return;
    down_ = true;
    const bool was_open = open_;
    if (open_) {
        run_.c.connections--;
        run_.c.disconnects++;
    }
    open_ = false;
    if (up_) {
        beast::error_code ignored;
        up_->stream.socket().close(ignored);
    }
    if (fd_ >= 0) {
        loop_.remove(fd_);
        ::close(fd_);
        fd_ = -1;
    }
    on_down(was_open);
}

}  // namespace chat::bench
