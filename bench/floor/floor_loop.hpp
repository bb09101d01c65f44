// floor_loop.hpp — the lean server loop under relay-floor and chatd-floor: WebSocket visitor
// connections on one epoll thread, and a writer thread doing group commit.
//
// One event-loop thread owns every socket: epoll, level-triggered (one read per readiness, so
// no read that finds nothing), non-blocking, TCP_NODELAY. It upgrades GET /ws/visitor
// (RFC 6455, server side: masked client frames, text frames handed to the App, ping → pong,
// close; a fragmented message is closed with 1003, a payload over 64 KiB with 1009) and, after
// each round of events, sends what each connection has pending with one send(). The App runs
// on that thread, inline: no strands, no posts. Its durable replies go through the Writer: one
// write() and one fdatasync() per batch, at most one sync per commit window (chatd's rule; 0
// syncs as soon as the previous sync ended), then the replies go back to the loop with one
// eventfd wake per batch and are sent — never before their lines are on disk.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace chat::floor {

std::int64_t now_ms();
// Opens DIR/events.jsonl for appending (making DIR), ignores SIGPIPE, and makes SIGTERM sync
// the log and exit 0; exits with a message naming `program` when the log cannot be opened.
int open_log(const std::string& dir, const char* program);
// Appends one unmasked, final text frame carrying `json`.
void append_text_frame(std::string& out, std::string_view json);

using ConnId = std::uint64_t;

// What an application built on the loop does with its connections.
class App {
public:
    virtual ~App() = default;
    virtual void opened(ConnId c) = 0;
    virtual void text(ConnId c, std::string_view body) = 0;
    virtual void binary(ConnId c) = 0;
    virtual void closed(ConnId c) = 0;
};

// Bytes for a connection, sent once the lines handed with them are durable.
struct Reply {
    ConnId conn;
    std::string frames;  // whole WebSocket frames
    std::string failed;  // sent instead when the append failed
};

class Writer {
public:
    Writer(int log_fd, int wake_fd, long window_us);
    void append(std::string_view lines, std::vector<Reply> replies);
    // The replies whose lines are durable (or failed), in order.
    void take_done(std::vector<Reply>& out);

private:
    void run();
    int log_, wake_;
    long window_;
    std::mutex m_;
    std::condition_variable cv_;
    bool idle_ = false;
    std::string in_lines_;
    std::vector<Reply> in_replies_, done_;
    std::thread thread_;
};

class Loop {
public:
    Loop(int port, int log_fd, long window_us);
    void set_app(App* app) { app_ = app; }
    [[noreturn]] void run();

    // For the App, on the loop's thread: frames to send at the end of this round, and lines
    // to make durable with the replies they release.
    void send(ConnId c, std::string_view frames);
    void durable(std::string_view lines, std::vector<Reply> replies);

private:
    struct Conn {
        int fd = -1;
        bool upgraded = false, closing = false, writable_armed = false;
        std::string in, out;
        std::size_t out_at = 0;
    };
    void watch(int fd, std::uint64_t id, std::uint32_t events, int op);
    void accept_all();
    void readable(ConnId id, Conn& c);
    bool upgrade(ConnId id, Conn& c);
    void frames(ConnId id, Conn& c);
    void flush(ConnId id, Conn& c);
    void close_with(ConnId id, Conn& c, std::uint16_t code);
    void drop(ConnId id);

    App* app_ = nullptr;
    int listen_ = -1, epfd_ = -1, wake_ = -1;
    Writer writer_;
    std::unordered_map<ConnId, Conn> conns_;
    std::vector<ConnId> dirty_, dead_;
    ConnId next_id_ = 2;  // 0: the listening socket, 1: the writer's eventfd
};

}  // namespace chat::floor
