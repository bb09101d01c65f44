// visitor_loop.cpp — the visitors' epoll set on the visitor thread: rounds, flushes, sweeps, and
// the batches to and from the core.
#include "visitor_loop.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <iostream>
#include <unordered_map>
#include <vector>

#include <mutex>

#include "core.hpp"
#include "metrics.hpp"
#include "net.hpp"
#include "visitor_connection.hpp"

namespace chat::server {

namespace {
constexpr int kEventsPerRound = 256;
constexpr auto kSweepEvery = std::chrono::seconds(1);
}  // namespace

struct VisitorLoop::Impl {
    Impl(net::io_context& ioc, std::shared_ptr<SharedState> state)
        : ioc(ioc), state(std::move(state)), epfd(::epoll_create1(EPOLL_CLOEXEC)), watcher(ioc), sweeper(ioc) {
        if (epfd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
        watcher.assign(::dup(epfd));
    }
    ~Impl() { ::close(epfd); }

    void arm() {
        watcher.async_wait(net::posix::descriptor_base::wait_read, [this](error_code ec) {
            if (ec) return;
            round();
            arm();
        });
    }

    // One wake-up: every ready socket read once (or written), then everything flushed.
    void round() {
        epoll_event events[kEventsPerRound];
        const int n = ::epoll_wait(epfd, events, kEventsPerRound, 0);
        in_round = true;
        for (int i = 0; i < n; ++i) {
            auto* c = static_cast<VisitorConnection*>(events[i].data.ptr);
            if (c->ended()) continue;  // ended earlier in this round
            if (events[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) c->writable();
            if (!c->ended() && (events[i].events & EPOLLIN)) c->readable();
        }
        in_round = false;
        flush_dirty();
    }

    void flush_dirty() {
        // A flush can mark others (never itself) dirty only through the core, which is not
        // called from here; swap so that anything marked meanwhile waits for the next call.
        std::vector<VisitorConnection*> now;
        now.swap(dirty);
        for (auto* c : now) {
            c->dirty = false;
            if (!c->ended()) c->flush();
        }
        now.clear();
        if (dirty.empty()) dirty.swap(now);  // keeps the list's capacity
        // What the round's frames told the core, in one post.
        if (!core_calls.empty()) {
            std::vector<VisitorCall> calls;
            calls.swap(core_calls);
            core_calls.reserve(calls.size());
            state->core().visitor_calls(std::move(calls));
        }
        dead.clear();  // ended connections, released now that nothing refers to them
    }

    // On the loop's thread: what the core handed over since the last drain.
    void drain() {
        std::vector<Delivery> batch;
        {
            std::lock_guard lk(inbox_m);
            batch.swap(inbox);
        }
        for (auto& d : batch) {
            d.conn->send(std::move(d.frames));
            if (d.close) d.conn->close_after_flush(d.close->first, std::move(d.close->second));
        }
        batch.clear();
        {
            std::lock_guard lk(inbox_m);
            if (inbox.empty()) inbox.swap(batch);  // keeps the capacity
        }
        flush_dirty();
    }

    // Outside a round (the core's turn, a sweep, a connection ended): one flush once the
    // current handler is over, so that everything it queued leaves together.
    void flush_soon() {
        if (in_round || flush_posted) return;
        flush_posted = true;
        net::post(ioc, [this] {
            flush_posted = false;
            flush_dirty();
        });
    }

    void sweep() {
        sweeper.expires_after(kSweepEvery);
        sweeper.async_wait([this](error_code ec) {
            if (ec) return;
            const auto now = VisitorConnection::Clock::now();
            std::vector<VisitorConnection*> all;
            all.reserve(conns.size());
            for (auto& [c, _] : conns) all.push_back(c);
            for (auto* c : all) c->sweep(now);
            flush_dirty();
            sweep();
        });
    }

    net::io_context& ioc;
    std::shared_ptr<SharedState> state;
    int epfd;
    net::posix::stream_descriptor watcher;
    net::steady_timer sweeper;
    std::unordered_map<VisitorConnection*, std::shared_ptr<VisitorConnection>> conns;
    std::vector<VisitorConnection*> dirty;
    std::vector<std::shared_ptr<VisitorConnection>> dead;
    bool in_round = false, flush_posted = false, closing_all = false;
    std::vector<VisitorCall> core_calls;
    struct Delivery {
        std::shared_ptr<VisitorConnection> conn;
        std::vector<std::shared_ptr<const std::string>> frames;
        std::optional<std::pair<std::uint16_t, std::string>> close;
    };
    std::mutex inbox_m;
    std::vector<Delivery> inbox;
};

VisitorLoop::VisitorLoop(net::io_context& ioc, std::shared_ptr<SharedState> state)
    : impl_(std::make_unique<Impl>(ioc, std::move(state))) {}

VisitorLoop::~VisitorLoop() { close_all(); }

void VisitorLoop::start() {
    impl_->arm();
    impl_->sweep();
}

void VisitorLoop::adopt(int fd, VisitorUpgrade up) {
    net::post(impl_->ioc, [this, fd, up = std::move(up)]() mutable {
        auto& im = *impl_;
        const int flags = ::fcntl(fd, F_GETFL);
        ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
        auto c = std::make_shared<VisitorConnection>(*this, *im.state, fd);
        epoll_event e{};
        e.events = EPOLLIN;
        e.data.ptr = c.get();
        if (::epoll_ctl(im.epfd, EPOLL_CTL_ADD, fd, &e) != 0) {
            std::cerr << "chatd: visitor socket not watched: " << std::strerror(errno) << std::endl;
            ::close(fd);
            return;
        }
        im.conns.emplace(c.get(), c);
        c->open(std::move(up));  // its 101 leaves with the flush it asks for
    });
}

void VisitorLoop::close_all() {
    auto& im = *impl_;
    im.closing_all = true;
    std::vector<std::shared_ptr<VisitorConnection>> all;
    for (auto& [_, c] : im.conns) all.push_back(c);
    for (auto& c : all) c->end();
    im.conns.clear();
    im.dead.clear();
    im.dirty.clear();
}

bool VisitorLoop::on_loop_thread() const { return impl_->ioc.get_executor().running_in_this_thread(); }

void VisitorLoop::mark_dirty(VisitorConnection* c) {
    auto& im = *impl_;
    if (c->ended() || c->dirty) return;
    c->dirty = true;
    im.dirty.push_back(c);
    im.flush_soon();
}

void VisitorLoop::to_core(VisitorCall call) {
    auto& im = *impl_;
    im.core_calls.push_back(std::move(call));
    im.flush_soon();
}

void VisitorLoop::deliver(std::shared_ptr<VisitorConnection> c, std::vector<std::shared_ptr<const std::string>> frames,
                          std::optional<std::pair<std::uint16_t, std::string>> close) {
    auto& im = *impl_;
    bool first;
    {
        std::lock_guard lk(im.inbox_m);
        first = im.inbox.empty();
        im.inbox.push_back({std::move(c), std::move(frames), std::move(close)});
    }
    if (first)
        net::post(im.ioc, [this, handed = std::chrono::steady_clock::now()] {
            impl_->state->metrics().visitor_send_wait.observe_since(handed);
            impl_->drain();
        });
}

void VisitorLoop::watch(VisitorConnection* c, bool read, bool write) {
    epoll_event e{};
    e.events = (read ? EPOLLIN : 0u) | (write ? EPOLLOUT : 0u);
    e.data.ptr = c;
    ::epoll_ctl(impl_->epfd, EPOLL_CTL_MOD, c->fd(), &e);
}

void VisitorLoop::forget(VisitorConnection* c) {
    auto& im = *impl_;
    if (im.closing_all) return;
    auto it = im.conns.find(c);
    if (it == im.conns.end()) return;
    im.dead.push_back(std::move(it->second));
    im.conns.erase(it);
    im.flush_soon();  // releases it
}

}  // namespace chat::server
