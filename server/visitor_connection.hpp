// visitor_connection.hpp — one shopper's WebSocket on the visitor loop: reading frames, the
// per-connection limits, the bounded outgoing buffer and the close handshake.
//
// The socket is non-blocking and owned by the loop's thread (the visitor thread): a frame read
// here is checked, parsed by the visitor's session and handed to the core with the round's
// others; what the core sends back is appended to this connection's buffer and leaves with one
// send() when the loop flushes (at the end of its round or of the core's turn). What a WebSocketSession does for agents with Beast, this does for visitors without it,
// with the same rules: frames over `limits.frame_bytes` close with 1009, a token bucket
// (`msgs_per_s`, `burst`) refuses floods with `rate_limited` and closes a client still flooding
// after 50 refusals with 1008, a client that lets `limits.outgoing_queue_frames` frames pile up
// is dropped with 1008, a client whose unsent bytes pass 64 KiB is not read until it reads
// (a pinger that never reads cannot grow the server), a ping after 30 s without a byte from the
// client and the end after 60 s, text that is not UTF-8 closes with 1007, and a close handshake
// bounded to one second.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core.hpp"  // VisitorCall
#include "shared_state.hpp"
#include "visitor_session.hpp"
#include "websocket_session.hpp"  // FrameSink

namespace chat::server {

class VisitorLoop;

// What the HTTP session checked and hands over with the socket.
struct VisitorUpgrade {
    std::string target;    // path and query of the GET /ws/visitor
    std::string key;       // Sec-WebSocket-Key
    std::string peer;      // the client's address (trusted proxies resolved)
    std::string leftover;  // bytes read past the request, if the client sent any
};

class VisitorConnection : public FrameSink, public Closable, public std::enable_shared_from_this<VisitorConnection> {
public:
    using Clock = std::chrono::steady_clock;

    VisitorConnection(VisitorLoop& loop, SharedState& state, int fd);
    ~VisitorConnection() override;

    // On the loop's thread.
    void open(VisitorUpgrade up);
    void readable();
    void writable();
    // Sends what is buffered (one send); arms or disarms the wait for writability.
    void flush();
    // The once-a-second check: keep-alive ping, idle end, close handshake bound, buffers given back.
    void sweep(Clock::time_point now);
    // Ends at once (server stopping for good): the socket is closed.
    void end();
    bool ended() const { return ended_; }
    int fd() const { return fd_; }

    // Frames from the core (the loop's thread; from elsewhere they are posted to it).
    void send(std::vector<std::shared_ptr<const std::string>> frames) override;
    void close_after_flush(std::uint16_t code, std::string reason) override;
    void shutdown() override;

    // For the session, on the loop's thread: news for the core, sent with the round's others.
    void to_core(VisitorCall call);
    // For the session, on the loop's thread: a text frame carrying `json`.
    void queue(std::string_view json);
    void queue_error(std::string_view code, std::string_view message);

    // Set by the loop while this connection waits in its list of connections to flush.
    bool dirty = false;

private:
    // Reads the whole frames at data[0, size) and says how many bytes they took.
    std::size_t frames(char* data, std::size_t size);
    void message(std::uint8_t opcode, std::string_view payload);
    bool take_token();
    // Appends bytes that are one record of the stream: a counted frame or not (101, pongs, close).
    void append(std::string_view bytes, bool counted);
    void append_frame(std::uint8_t opcode, std::string_view payload, bool counted);
    // Drops every record not yet begun on the wire.
    void discard_unsent();
    // Drops what is not yet on its way, sends the close frame and waits for the client's, at
    // most a second.
    void close_with(std::uint16_t code, std::string_view reason);
    // Appends the close frame; from then on nothing else is sent.
    void append_close(std::uint16_t code, std::string_view reason);
    void watch(bool read, bool write);
    void made_progress();

    VisitorLoop& loop_;
    SharedState& state_;
    int fd_;
    bool joined_ = false, ended_ = false;
    bool closing_ = false;       // our close frame is queued or sent
    bool close_received_ = false;
    bool write_shut_ = false;
    std::optional<std::pair<std::uint16_t, std::string>> close_after_flush_;
    bool watching_read_ = true, watching_write_ = false;
    std::string in_;                   // an incomplete frame's bytes, until the rest arrives
    std::string message_;              // a fragmented message, being put together
    std::uint8_t message_opcode_ = 0;  // its opcode, 0 when none
    std::string out_;                  // bytes for the client; out_[0, sent_) are on the wire
    std::size_t sent_ = 0;
    struct Record {
        std::size_t end;  // offset in out_ where it ends
        bool counted;
    };
    std::vector<Record> records_;  // records_[record_at_, …) not wholly sent
    std::size_t record_at_ = 0;
    std::size_t counted_unsent_ = 0;
    Clock::time_point last_rx_, closing_since_;
    bool pinged_ = false;
    double tokens_ = 0;
    Clock::time_point refilled_;
    int refused_in_row_ = 0;
    VisitorSession session_;
};

}  // namespace chat::server
