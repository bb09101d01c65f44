// loop.cpp — the epoll set, the millisecond tick and the polling of the io_context.
#include "loop.hpp"

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
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

void Loop::run(boost::asio::io_context& ioc, const std::function<std::int64_t()>& tick) {
    auto work = boost::asio::make_work_guard(ioc);  // the io_context has nothing to do between phases
    // One timer in the set, a one-shot timerfd set to the next deadline. The waits have no
    // timeout of their own: each would arm and cancel a kernel timer, and a wake-up costs more
    // than anything else here (tens of microseconds on this virtual machine).
    const int tfd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tfd < 0) throw std::system_error(errno, std::generic_category(), "timerfd_create");
    epoll_event tev{};
    tev.events = EPOLLIN;
    tev.data.ptr = nullptr;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, tfd, &tev) < 0) throw std::system_error(errno, std::generic_category(), "epoll_ctl");
    constexpr std::int64_t kMs = 1'000'000;
    std::int64_t armed = 0, last_poll = 0;
    epoll_event events[512];
    int n = 0;
    while (!stopped_) {
        for (int i = 0; i < n; ++i) {
            auto* p = static_cast<Pollable*>(events[i].data.ptr);
            if (!p) {  // the timer fired
                std::uint64_t expirations;
                [[maybe_unused]] auto r = ::read(tfd, &expirations, sizeof expirations);
                armed = 0;
                continue;
            }
            const auto e = events[i].events;
            p->on_ready((e & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0, (e & EPOLLOUT) != 0);
        }
        const std::int64_t pace_at = tick();
        std::int64_t now = mono_ns();
        if (now - last_poll >= kMs) {
            ioc.poll();
            last_poll = now = mono_ns();
        }
        // Wake for the pacer's next message, not sooner than a millisecond from now (the pacer
        // also runs after every turn), and for the io_context: every millisecond while nothing is
        // paced (connections being opened), every 10 ms while the pacer runs.
        std::int64_t deadline = last_poll + (pace_at < 0 ? kMs : 10 * kMs);
        if (pace_at >= 0) deadline = std::min(deadline, std::max(pace_at, now + kMs));
        if (armed == 0 || deadline < armed || deadline - armed > kMs / 4) {
            const itimerspec at{{0, 0}, {static_cast<time_t>(deadline / 1'000'000'000), static_cast<long>(deadline % 1'000'000'000)}};
            if (::timerfd_settime(tfd, TFD_TIMER_ABSTIME, &at, nullptr) < 0) throw std::system_error(errno, std::generic_category(), "timerfd_settime");
            armed = deadline;
        }
        n = ::epoll_wait(epfd_, events, 512, -1);
        if (n < 0) {
            if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "epoll_wait");
            n = 0;
        }
    }
    ::close(tfd);
}

}  // namespace chat::bench
