// floor_loop.cpp — the epoll loop, the WebSocket upgrade and framing, and the group-commit
// writer of the floor servers (floor_loop.hpp says why they are built this way).
#include "floor_loop.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "ws_frames.hpp"  // the upgrade's accept value, shared with chat-bench

namespace chat::floor {

namespace {
constexpr std::size_t kMaxPayload = 65536;
constexpr std::size_t kMaxUnsent = 1 << 20;
constexpr std::uint64_t kListenId = 0, kWakeId = 1;

void append_frame(std::string& out, unsigned char opcode, std::string_view payload) {
    out += static_cast<char>(0x80 | opcode);
    const std::size_t n = payload.size();
    if (n < 126) {
        out += static_cast<char>(n);
    } else if (n <= 0xffff) {
        out += static_cast<char>(126);
        out += static_cast<char>(n >> 8);
        out += static_cast<char>(n & 0xff);
    } else {
        out += static_cast<char>(127);
        for (int i = 7; i >= 0; --i) out += static_cast<char>((n >> (8 * i)) & 0xff);
    }
    out.append(payload);
}

// The value of header `name` (lower case) in `head`, or empty.
std::string_view header(std::string_view head, std::string_view name) {
    std::size_t at = head.find("\r\n");
    while (at != std::string_view::npos && at + 2 < head.size()) {
        const std::size_t start = at + 2, end = head.find("\r\n", start);
        const std::string_view line = head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        const std::size_t colon = line.find(':');
        if (colon == name.size() && std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
                return a == std::tolower(static_cast<unsigned char>(b));
            })) {
            std::string_view v = line.substr(colon + 1);
            while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
            while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
            return v;
        }
        at = end;
    }
    return {};
}
}  // namespace

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void append_text_frame(std::string& out, std::string_view json) { append_frame(out, 1, json); }

static std::atomic<int> g_log_fd{-1};

int open_log(const std::string& dir, const char* program) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    const int fd = ::open((dir + "/events.jsonl").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::fprintf(stderr, "%s: cannot open %s/events.jsonl: %s\n", program, dir.c_str(), std::strerror(errno));
        std::exit(1);
    }
    g_log_fd = fd;
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGTERM, [](int) {
        ::fdatasync(g_log_fd);
        ::_exit(0);
    });
    return fd;
}

// ---- the writer ----

Writer::Writer(int log_fd, int wake_fd, long window_us) : log_(log_fd), wake_(wake_fd), window_(window_us) {
    thread_ = std::thread([this] { run(); });
    thread_.detach();  // lives as long as the process
}

void Writer::append(std::string_view lines, std::vector<Reply> replies) {
    std::lock_guard lk(m_);
    in_lines_.append(lines);
    for (auto& r : replies) in_replies_.push_back(std::move(r));
    if (idle_) cv_.notify_one();
}

void Writer::take_done(std::vector<Reply>& out) {
    std::lock_guard lk(m_);
    out.swap(done_);
}

void Writer::run() {
    std::string lines;
    std::vector<Reply> replies;
    auto last_sync = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    for (;;) {
        {
            std::unique_lock lk(m_);
            idle_ = true;
            cv_.wait(lk, [&] { return !in_lines_.empty() || !in_replies_.empty(); });
            idle_ = false;
        }
        // A batch ready sooner than the window after the previous sync waits for the window's
        // end and takes along what arrives meanwhile.
        const auto due = last_sync + std::chrono::microseconds(window_);
        if (std::chrono::steady_clock::now() < due) std::this_thread::sleep_until(due);
        {
            std::lock_guard lk(m_);
            lines.swap(in_lines_);
            replies.swap(in_replies_);
        }
        last_sync = std::chrono::steady_clock::now();
        bool ok = true;
        for (std::size_t at = 0; at < lines.size();) {
            const ssize_t n = ::write(log_, lines.data() + at, lines.size() - at);
            if (n <= 0) {
                ok = false;
                break;
            }
            at += static_cast<std::size_t>(n);
        }
        if (ok && !lines.empty() && ::fdatasync(log_) != 0) ok = false;
        if (!ok)
            for (auto& r : replies) r.frames.swap(r.failed);
        {
            std::lock_guard lk(m_);
            for (auto& r : replies) done_.push_back(std::move(r));
        }
        const std::uint64_t one = 1;
        (void)!::write(wake_, &one, sizeof one);
        lines.clear();
        replies.clear();
    }
}

// ---- the loop ----

static int make_eventfd() { return ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC); }

Loop::Loop(int port, int log_fd, long window_us) : wake_(make_eventfd()), writer_(log_fd, wake_, window_us) {
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_, 4096) != 0) {
        std::perror("floor: listen");
        std::exit(1);
    }
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    watch(listen_, kListenId, EPOLLIN, EPOLL_CTL_ADD);
    watch(wake_, kWakeId, EPOLLIN, EPOLL_CTL_ADD);
}

void Loop::watch(int fd, std::uint64_t id, std::uint32_t events, int op) {
    epoll_event e{};
    e.events = events;
    e.data.u64 = id;
    ::epoll_ctl(epfd_, op, fd, &e);
}

void Loop::run() {
    std::vector<epoll_event> events(1024);
    std::vector<Reply> done;
    for (;;) {
        const int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            const std::uint64_t id = events[i].data.u64;
            if (id == kListenId) {
                accept_all();
            } else if (id == kWakeId) {
                std::uint64_t v;
                (void)!::read(wake_, &v, sizeof v);
                writer_.take_done(done);
                for (auto& r : done) send(r.conn, r.frames);  // gone since: dropped there
                done.clear();
            } else if (auto it = conns_.find(id); it != conns_.end()) {
                if (events[i].events & EPOLLOUT) flush(id, it->second);
                if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) readable(id, it->second);
            }
        }
        for (ConnId id : dirty_)
            if (auto it = conns_.find(id); it != conns_.end()) flush(id, it->second);
        dirty_.clear();
        for (ConnId id : dead_) drop(id);
        dead_.clear();
    }
}

void Loop::accept_all() {
    for (;;) {
        const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) return;
        int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        const ConnId id = next_id_++;
        conns_[id].fd = fd;
        watch(fd, id, EPOLLIN, EPOLL_CTL_ADD);
    }
}

void Loop::send(ConnId id, std::string_view bytes) {
    auto it = conns_.find(id);
    if (it == conns_.end() || bytes.empty()) return;
    Conn& c = it->second;
    if (c.out.size() - c.out_at + bytes.size() > kMaxUnsent) return dead_.push_back(id);  // does not read
    c.out.append(bytes);
    dirty_.push_back(id);
}

void Loop::durable(std::string_view lines, std::vector<Reply> replies) { writer_.append(lines, std::move(replies)); }

void Loop::flush(ConnId id, Conn& c) {
    while (c.out_at < c.out.size()) {
        const ssize_t n = ::send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) return dead_.push_back(id);
        c.out_at += static_cast<std::size_t>(n);
    }
    const bool pending = c.out_at < c.out.size();
    if (!pending) {
        c.out.clear();
        c.out_at = 0;
        if (c.closing) return dead_.push_back(id);
    }
    if (pending != c.writable_armed) {
        c.writable_armed = pending;
        watch(c.fd, id, EPOLLIN | (pending ? EPOLLOUT : 0u), EPOLL_CTL_MOD);
    }
}

void Loop::drop(ConnId id) {
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    const bool upgraded = it->second.upgraded;
    ::close(it->second.fd);  // also leaves the epoll set
    conns_.erase(it);
    if (upgraded && app_) app_->closed(id);
}

void Loop::close_with(ConnId id, Conn& c, std::uint16_t code) {
    if (c.closing) return;
    const char body[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    std::string f;
    append_frame(f, 8, std::string_view(body, 2));
    send(id, f);
    c.closing = true;
}

void Loop::readable(ConnId id, Conn& c) {
    char buf[65536];
    const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return dead_.push_back(id);
    if (n < 0 || c.closing) return;
    c.in.append(buf, static_cast<std::size_t>(n));
    if (!c.upgraded && !upgrade(id, c)) return;
    frames(id, c);
}

bool Loop::upgrade(ConnId id, Conn& c) {
    const std::size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) {
        if (c.in.size() > 8192) dead_.push_back(id);
        return false;
    }
    const std::string_view head(c.in.data(), end + 2);
    const std::string_view key = header(head, "sec-websocket-key");
    if (head.rfind("GET /ws/visitor", 0) != 0 || key.empty()) {
        send(id, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        c.closing = true;
        return false;
    }
    std::string res = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
    res += chat::bench::ws::accept_for(key);
    res += "\r\n\r\n";
    c.in.erase(0, end + 4);
    c.upgraded = true;
    send(id, res);
    if (app_) app_->opened(id);
    return true;
}

void Loop::frames(ConnId id, Conn& c) {
    std::size_t at = 0;
    while (!c.closing) {
        const std::size_t avail = c.in.size() - at;
        if (avail < 2) break;
        const auto* p = reinterpret_cast<const unsigned char*>(c.in.data() + at);
        const bool fin = p[0] & 0x80;
        const unsigned op = p[0] & 0x0f;
        if (!(p[1] & 0x80)) return close_with(id, c, 1002);  // clients must mask
        std::uint64_t len = p[1] & 0x7f;
        std::size_t h = 2;
        if (len == 126) {
            if (avail < 4) break;
            len = (std::uint64_t(p[2]) << 8) | p[3];
            h = 4;
        } else if (len == 127) {
            if (avail < 10) break;
            len = 0;
            for (int i = 0; i < 8; ++i) len = (len << 8) | p[2 + i];
            h = 10;
        }
        if (len > kMaxPayload) return close_with(id, c, 1009);
        if (avail < h + 4 + len) break;
        const unsigned char* mask = p + h;
        char* payload = c.in.data() + at + h + 4;
        for (std::uint64_t i = 0; i < len; ++i) payload[i] ^= static_cast<char>(mask[i & 3]);
        at += h + 4 + len;
        const std::string_view body(payload, len);
        if (!fin || op == 0) return close_with(id, c, 1003);
        if (op == 1) {
            if (app_) app_->text(id, body);
        } else if (op == 2) {
            if (app_) app_->binary(id);
        } else if (op == 8) {
            return close_with(id, c, 1000);
        } else if (op == 9) {
            std::string pong;
            append_frame(pong, 10, body);
            send(id, pong);
        }
    }
    c.in.erase(0, at);
}

}  // namespace chat::floor
