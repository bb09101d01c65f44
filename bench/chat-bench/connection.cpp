// connection.cpp — connect, upgrade, read loop and write queue of one client connection.
#include "connection.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/beast/websocket.hpp>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

namespace chat::bench {

void Connection::connect(const std::string& source, std::string target) {
    ++gen_;  // handlers of an earlier attempt see a stale generation and do nothing
    ws_ = std::make_unique<websocket::stream<beast::tcp_stream>>(ioc_);
    buffer_.clear();
    outbox_.clear();
    writing_ = open_ = down_ = false;
    auto& sock = beast::get_lowest_layer(*ws_).socket();
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
    tcp::endpoint server(net::ip::make_address(run_.opt.host), run_.opt.port);
    beast::get_lowest_layer(*ws_).expires_after(std::chrono::seconds(20));
    beast::get_lowest_layer(*ws_).async_connect(server, [self = shared_from_this(), g = gen_, target = std::move(target)](beast::error_code ec) {
        if (g != self->gen_) return;
        if (ec) {
            self->run_.c.connect_failures++;
            return self->down();
        }
        auto& ws = *self->ws_;
        ws.read_message_max(16 * 1024 * 1024);
        const std::string host = self->run_.opt.host + ":" + std::to_string(self->run_.opt.port);
        ws.async_handshake(host, target, [self, g](beast::error_code ec) {
            if (g != self->gen_) return;
            if (ec) {
                self->run_.c.connect_failures++;
                return self->down();
            }
            beast::get_lowest_layer(*self->ws_).expires_never();
            beast::error_code ignored;
            beast::get_lowest_layer(*self->ws_).socket().set_option(tcp::no_delay(true), ignored);
            // Answer the server's pings; notice a dead server within a minute.
            auto t = websocket::stream_base::timeout::suggested(beast::role_type::client);
            self->ws_->set_option(t);
            self->ws_->text(true);
            self->open_ = true;
            self->run_.c.connections++;
            self->on_open();
            self->read();
        });
    });
}

void Connection::read() {
    ws_->async_read(buffer_, [self = shared_from_this(), g = gen_](beast::error_code ec, std::size_t) {
        if (g != self->gen_) return;
        if (ec) return self->down();
        auto data = self->buffer_.cdata();
        self->on_frame(std::string_view(static_cast<const char*>(data.data()), data.size()));
        self->buffer_.consume(self->buffer_.size());
        if (!self->down_) self->read();
    });
}

void Connection::send(std::string frame) {
    if (!open_ || down_) return;
    outbox_.push_back(std::move(frame));
    if (!writing_) write();
}

void Connection::write() {
    writing_ = true;
    ws_->async_write(net::buffer(outbox_.front()), [self = shared_from_this(), g = gen_](beast::error_code ec, std::size_t) {
        if (g != self->gen_) return;
        self->writing_ = false;
        if (ec) return self->down();
        self->outbox_.pop_front();
        if (!self->outbox_.empty() && !self->down_) self->write();
    });
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
    beast::error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);
    on_down(was_open);
}

}  // namespace chat::bench
