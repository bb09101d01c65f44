// connection.hpp — one WebSocket client connection of the load generator. Beast connects from
// a chosen source address and does the HTTP upgrade; then the socket joins the Loop's epoll
// set and its frames go through ws_frames: every whole frame of a read is handed to the
// subclass, pings are answered, and the frames sent while the connection handles what it
// read leave together in one write (a frame sent at any other time leaves at once).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "loop.hpp"
#include "run.hpp"
#include "ws_frames.hpp"

namespace chat::bench {

namespace net = boost::asio;

class Connection : public std::enable_shared_from_this<Connection>, private Pollable {
public:
    Connection(net::io_context& ioc, Loop& loop, Run& run);
    virtual ~Connection();
    bool open() const { return open_; }

protected:
    // Connects from `source` (empty: any) to the server and upgrades on `target`.
    void connect(const std::string& source, std::string target);
    // Sends one text frame.
    void send(std::string_view text);
    // Sends a close frame (1000) and ends the connection: on_down follows.
    void leave();
    virtual void on_open() = 0;
    virtual void on_frame(std::string_view text) = 0;
    // The connection failed or ended; `was_open` tells whether the upgrade had completed.
    virtual void on_down(bool was_open) = 0;

    net::io_context& ioc_;
    Loop& loop_;
    Run& run_;

private:
    struct Upgrade;  // Beast's stream and messages while connecting (connection.cpp)

    void opened(int fd, std::string_view early);
    void on_ready(bool readable, bool writable) override;
    void take(std::string_view bytes);  // frames from bytes read; keeps an incomplete tail
    bool handle(const ws::Frame& f);    // false: the connection went down
    void queue(ws::Opcode op, std::string_view payload);
    void flush();
    void on_writable();
    void down();

    std::unique_ptr<Upgrade> up_;
    int fd_ = -1;
    std::string out_;        // frames not yet written
    std::size_t out_at_ = 0; // of which already written
    std::string tail_;       // the start of a frame not wholly received
    std::string message_;    // a fragmented message being put together
    bool assembling_ = false;  // message_ waits for its final fragment
    bool in_turn_ = false;   // handling what was read: frames sent now wait for the turn's write
    bool write_blocked_ = false;
    bool open_ = false;
    bool down_ = false;
    std::uint64_t gen_ = 0;
};

}  // namespace chat::bench
