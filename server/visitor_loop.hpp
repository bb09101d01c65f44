// visitor_loop.hpp — the shoppers' sockets, on a thread of their own, in an epoll set of their own.
//
// Visitors are nearly all of a shop's connections and of its messages, so their path is kept
// short: once the HTTP session has checked an upgrade to /ws/visitor it hands the socket over
// (adopt), and from then on the socket belongs to this loop and its thread, the visitor thread.
// The loop's epoll set is level-triggered and is itself watched by the visitor thread's
// io_context, so one wake-up serves every ready socket: each gets one recv (none that finds
// nothing), its frames are unmasked, checked and parsed here, and what they tell the core is
// gathered over the round and handed to the core thread in one post (VisitorCall batches).
// The other way, everything the core hands the visitors in one turn (echo, ack, answer for many
// connections) reaches the loop in one post, and every connection with something to send gets
// one send() at the end of that turn or of the round. So the two threads meet once per round
// and once per core turn, not once per frame: the network work and the router's work run side
// by side on the two cores. Agents' consoles stay on Beast sessions on the network threads
// (websocket_session.hpp): they are few.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace chat::server {

class SharedState;
class VisitorConnection;
struct VisitorCall;
struct VisitorUpgrade;

class VisitorLoop {
public:
    VisitorLoop(boost::asio::io_context& ioc, std::shared_ptr<SharedState> state);
    ~VisitorLoop();

    // Starts watching (before the visitor thread's io_context runs).
    void start();
    // From any thread: `fd` (a connected, upgraded-by-request socket) becomes a visitor
    // connection on the loop; the loop writes the 101 response.
    void adopt(int fd, VisitorUpgrade up);
    // After the visitor thread's io_context has stopped: closes every connection still open.
    void close_all();

    // For the connections.
    bool on_loop_thread() const;
    // The connection has bytes to send: it is flushed at the end of the round or turn.
    void mark_dirty(VisitorConnection* c);
    void watch(VisitorConnection* c, bool read, bool write);
    // The connection ended: it leaves the set and is released after the round.
    void forget(VisitorConnection* c);
    // On the loop's thread: news for the core, handed over with the round's others in one post.
    void to_core(VisitorCall call);
    // From the core's thread: frames for a connection (then a close, when given); everything
    // the core hands over in one turn reaches the loop in one post.
    void deliver(std::shared_ptr<VisitorConnection> c, std::vector<std::shared_ptr<const std::string>> frames,
                 std::optional<std::pair<std::uint16_t, std::string>> close = std::nullopt);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace chat::server
