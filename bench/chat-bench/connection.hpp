// connection.hpp — one WebSocket client connection of the load generator: connect from a
// chosen source address, upgrade, a read loop handing each text frame to the subclass, and a
// write queue (Beast allows one write at a time). Runs on one single-threaded io_context.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "run.hpp"

namespace chat::bench {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(net::io_context& ioc, Run& run) : ioc_(ioc), run_(run) {}
    virtual ~Connection() = default;
    bool open() const { return open_; }

protected:
    // Connects from `source` (empty: any) to the server and upgrades on `target`.
    void connect(const std::string& source, std::string target);
    void send(std::string frame);
    virtual void on_open() = 0;
    virtual void on_frame(std::string_view text) = 0;
    // The connection failed or ended; `was_open` tells whether the upgrade had completed.
    virtual void on_down(bool was_open) = 0;

    net::io_context& ioc_;
    Run& run_;

private:
    void read();
    void write();
    void down();

    std::unique_ptr<websocket::stream<beast::tcp_stream>> ws_;
    beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    bool writing_ = false;
    bool open_ = false;
    bool down_ = false;
    std::uint64_t gen_ = 0;
};

}  // namespace chat::bench
