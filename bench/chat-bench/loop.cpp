// loop.cpp — the epoll set, the millisecond tick and the polling of the io_context.
#include "loop.hpp"

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <stdexcept>
#include <system_error>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

namespace chat::bench {

Loop::Loop() : scratch_(256 * 1024) {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

Loop::~Loop() {
    if (epfd_ >= 0) ::close(epfd_);
}

bool Loop::add(int fd, Pollable* p) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.ptr = p;
    return ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0;
}

bool Loop::watch_write(int fd, Pollable* p, bool write) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | (write ? EPOLLOUT : 0u);
    ev.data.ptr = p;
    return ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) == 0;
}

void Loop::remove(int fd) { ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr); }

namespace {
std::int64_t mono_ns() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}
}  // namespace

void Loop::run(boost::asio::io_context& ioc, const std::function<void()>& tick) {
    auto work = boost::asio::make_work_guard(ioc);  // the io_context has nothing to do between phases
    // The tick: a periodic timerfd in the set (read when it fires: that re-arms it). The waits
    // have no timeout of their own: each would arm and cancel a kernel timer, which is costly
    // on a virtual machine.
    const int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0) throw std::system_error(errno, std::generic_category(), "timerfd_create");
    const itimerspec period{{0, 1'000'000}, {0, 1'000'000}};
    epoll_event tev{};
    tev.events = EPOLLIN;
    tev.data.ptr = nullptr;
    if (::timerfd_settime(tfd, 0, &period, nullptr) < 0 || ::epoll_ctl(epfd_, EPOLL_CTL_ADD, tfd, &tev) < 0)
        throw std::system_error(errno, std::generic_category(), "timerfd");
    constexpr std::int64_t kTickNs = 1'000'000;
    std::int64_t next_tick = mono_ns();
    epoll_event events[512];
    while (!stopped_) {
        const int n = ::epoll_wait(epfd_, events, 512, -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::system_error(errno, std::generic_category(), "epoll_wait");
        }
        for (int i = 0; i < n; ++i) {
            auto* p = static_cast<Pollable*>(events[i].data.ptr);
            if (!p) {  // the tick
                std::uint64_t expirations;
                [[maybe_unused]] auto r = ::read(tfd, &expirations, sizeof expirations);
                continue;
            }
            const auto e = events[i].events;
            p->on_ready((e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0, (e & EPOLLOUT) != 0);
        }
        // The pacer goes on every turn (what is due by now leaves); the io_context once a millisecond.
        tick();
        if (const std::int64_t now = mono_ns(); now >= next_tick) {
            ioc.poll();
            next_tick = now + kTickNs;
        }
    }
    ::close(tfd);
}

}  // namespace chat::bench
