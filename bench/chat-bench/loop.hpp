// loop.hpp — the load generator's event loop: one epoll set holding every open WebSocket and
// one timer, one epoll_wait per turn for all of them, the pacer after each turn (and when its
// next message is due), and the Asio io_context polled for what Beast still does (connect,
// upgrade, login) and for the timers of the run.
//
// Why not Asio for the frames too: per socket, Asio tries a read before every wait (half the
// reads found nothing) and re-arms its timer queue; on this 2-core machine, where the server
// runs too, the generator has to cost as little as a bare epoll client. Level-triggered: a
// socket with bytes left after a read is reported again on the next turn.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace chat::bench {

// What the loop calls when a registered socket is ready.
class Pollable {
public:
    virtual void on_ready(bool readable, bool writable) = 0;

protected:
    ~Pollable() = default;
};

class Loop {
public:
    Loop();
    ~Loop();
    Loop(const Loop&) = delete;
    Loop& operator=(const Loop&) = delete;

    // Watches `fd` for reading (and for writing when `write` is set). False on failure (errno).
    bool add(int fd, Pollable* p);
    bool watch_write(int fd, Pollable* p, bool write);
    void remove(int fd);

    // Runs until stop(): the sockets' events as they come; `tick` after each turn, which returns
    // when it wants to run next (CLOCK_MONOTONIC ns, as steady_clock; negative: no wish); and
    // the io_context's ready handlers, without blocking, every 1 to 10 ms.
    void run(boost::asio::io_context& ioc, const std::function<std::int64_t()>& tick);
    void stop() { stopped_ = true; }

    // A buffer every connection reads into in turn (one thread: one read at a time).
    std::vector<char>& scratch() { return scratch_; }

private:
    int epfd_ = -1;
    bool stopped_ = false;
    std::vector<char> scratch_;
};

}  // namespace chat::bench
