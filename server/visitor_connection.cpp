// visitor_connection.cpp — one shopper's socket: frames in, limits, frames out, the close.
#include "visitor_connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <simdjson.h>

#include "metrics.hpp"
#include "protocol.hpp"
#include "visitor_loop.hpp"
#include "ws_codec.hpp"

namespace chat::server {

namespace {
// A client still flooding after this many refused frames in a row is closed (1008).
constexpr int kRefusalsBeforeClose = 50;
// Unsent bytes past which the client is not read until it reads (pings answered unread).
constexpr std::size_t kHoldReadsAbove = 64 * 1024;
// A buffer grown past this by a burst is given back once empty (idle connections stay small).
constexpr std::size_t kKeepCapacity = 8 * 1024;
constexpr auto kPingAfter = std::chrono::seconds(30);
constexpr auto kIdleEnd = std::chrono::seconds(60);
constexpr auto kCloseHandshake = std::chrono::seconds(1);
}  // namespace

VisitorConnection::VisitorConnection(VisitorLoop& loop, SharedState& state, int fd)
    : loop_(loop), state_(state), fd_(fd), session_(state, *this) {}

VisitorConnection::~VisitorConnection() { end(); }

void VisitorConnection::open(VisitorUpgrade up) {
    last_rx_ = refilled_ = Clock::now();
    tokens_ = state_.config().limits.burst;
    std::string res = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: ";
    res += ws::accept_key(up.key);
    res += "\r\nServer: chatd\r\n\r\n";
    append(res, false);
    switch (state_.join(shared_from_this(), up.peer)) {
    case SharedState::Join::ok: break;
    case SharedState::Join::address_full: return close_with(ws::policy_error, "too many connections from your address");
    default: return close_with(ws::try_again_later, "server full or stopping");
    }
    joined_ = true;
    session_.opened(up.target, weak_from_this());
    if (!up.leftover.empty()) {
        const std::size_t used = frames(up.leftover.data(), up.leftover.size());
        if (used < up.leftover.size() && !ended_) in_.assign(up.leftover, used);
    }
    loop_.mark_dirty(this);
}

void VisitorConnection::readable() {
    if (ended_) return;
    char buf[64 * 1024];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n <= 0) return end();  // closed by the client, or reset
    last_rx_ = Clock::now();
    pinged_ = false;
    const auto got = static_cast<std::size_t>(n);
    if (in_.empty()) {
        // Most reads hold whole frames: read where they lie, keep only an incomplete tail.
        const std::size_t used = frames(buf, got);
        if (used < got && !ended_) in_.assign(buf + used, got - used);
    } else {
        in_.append(buf, got);
        const std::size_t used = frames(in_.data(), in_.size());
        if (!ended_) in_.erase(0, used);
    }
    loop_.mark_dirty(this);
}

std::size_t VisitorConnection::frames(char* data, std::size_t size) {
    const std::size_t max = state_.config().limits.frame_bytes;
    std::size_t at = 0;
    while (at < size && !ended_ && !close_received_) {
        ws::ClientFrame f;
        std::size_t used = 0;
        switch (ws::read_client_frame(data + at, size - at, max, f, used)) {
        case ws::Read::need_more: return at;
        // Broken or too big: nothing more of this client's input is read.
        case ws::Read::protocol_error: close_with(ws::protocol_error, "protocol error"); return size;
        case ws::Read::too_big: close_with(ws::too_big, "message too big"); return size;
        case ws::Read::frame: break;
        }
        at += used;
        switch (f.opcode) {
        case ws::ping:
            if (!closing_) append_frame(ws::pong, f.payload, false);
            break;
        case ws::pong: break;
        case ws::close:
            close_received_ = true;
            if (!closing_) {
                // The client's close, answered with its code (RFC 6455 §5.5.1), then the end.
                const std::uint16_t code = ws::close_code_of(f.payload);
                discard_unsent();
                append_close(code == 0 || code == 1005 ? std::uint16_t{ws::normal} : code, {});
            }
            break;
        default:
            if (closing_) break;  // what follows our close frame is not read
            if (f.opcode == ws::continuation) {
                if (!message_opcode_) return close_with(ws::protocol_error, "protocol error"), size;
                if (message_.size() + f.payload.size() > max) return close_with(ws::too_big, "message too big"), size;
                message_.append(f.payload);
                if (!f.fin) break;
                std::string whole;
                whole.swap(message_);
                const std::uint8_t op = message_opcode_;
                message_opcode_ = 0;
                message(op, whole);
                break;
            }
            if (message_opcode_) return close_with(ws::protocol_error, "protocol error"), size;
            if (!f.fin) {
                message_opcode_ = f.opcode;
                message_.assign(f.payload);
                break;
            }
            message(f.opcode, f.payload);
        }
    }
    return close_received_ ? size : at;  // after the client's close, nothing more is read
}

bool VisitorConnection::take_token() {
    const auto& lim = state_.config().limits;
    const auto now = Clock::now();
    tokens_ = std::min(lim.burst, tokens_ + std::chrono::duration<double>(now - refilled_).count() * lim.msgs_per_s);
    refilled_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
}

void VisitorConnection::message(std::uint8_t opcode, std::string_view payload) {
    if (!take_token()) {
        if (++refused_in_row_ >= kRefusalsBeforeClose) return close_with(ws::policy_error, "flood");
        return queue_error("rate_limited", "too many frames: slow down");
    }
    refused_in_row_ = 0;
    if (opcode != ws::text) return queue_error("bad_request", "binary frames are not accepted");
    if (!simdjson::validate_utf8(payload.data(), payload.size())) return close_with(ws::bad_payload, "text is not UTF-8");
    session_.text(payload);
}

void VisitorConnection::append(std::string_view bytes, bool counted) {
    out_.append(bytes);
    records_.push_back({out_.size(), counted});
    if (counted) ++counted_unsent_;
}

void VisitorConnection::append_frame(std::uint8_t opcode, std::string_view payload, bool counted) {
    ws::append_frame(out_, opcode, payload);
    records_.push_back({out_.size(), counted});
    if (counted) ++counted_unsent_;
}

void VisitorConnection::queue(std::string_view json) {
    if (ended_ || closing_ || close_after_flush_) return;
    if (counted_unsent_ >= state_.config().limits.outgoing_queue_frames) {
        // The client does not read: drop it rather than buffer without bound. What is already
        // on its way is let go, then the close follows.
        state_.metrics().slow_consumers_dropped++;
        return close_with(ws::policy_error, "too slow");
    }
    append_frame(ws::text, json, true);
    loop_.mark_dirty(this);
}

void VisitorConnection::queue_error(std::string_view code, std::string_view message) { queue(error_frame(code, message)); }

void VisitorConnection::to_core(VisitorCall call) { loop_.to_core(std::move(call)); }

void VisitorConnection::send(std::vector<std::shared_ptr<const std::string>> frames) {
    if (!loop_.on_loop_thread()) return loop_.deliver(shared_from_this(), std::move(frames));
    for (const auto& f : frames) queue(*f);
}

void VisitorConnection::close_after_flush(std::uint16_t code, std::string reason) {
    if (!loop_.on_loop_thread()) return loop_.deliver(shared_from_this(), {}, std::make_pair(code, std::move(reason)));
    if (ended_ || closing_ || close_after_flush_) return;
    close_after_flush_.emplace(code, std::move(reason));
    loop_.mark_dirty(this);  // the close follows once what is queued is written (flush)
}

void VisitorConnection::shutdown() { close_after_flush(ws::going_away, "server stopping"); }

void VisitorConnection::discard_unsent() {
    // Keep the record being written (its first bytes are on the wire), drop the rest.
    std::size_t keep = record_at_;
    if (keep < records_.size() && sent_ > (keep == 0 ? 0 : records_[keep - 1].end)) ++keep;
    for (std::size_t i = keep; i < records_.size(); ++i)
        if (records_[i].counted) --counted_unsent_;
    out_.resize(keep == 0 ? 0 : records_[keep - 1].end);
    records_.resize(keep);
    message_.clear();
    message_opcode_ = 0;
}

void VisitorConnection::close_with(std::uint16_t code, std::string_view reason) {
    if (ended_ || closing_) return;
    discard_unsent();
    close_after_flush_.reset();
    append_close(code, reason);
    loop_.mark_dirty(this);
}

void VisitorConnection::append_close(std::uint16_t code, std::string_view reason) {
    std::string f;
    ws::append_close(f, code, reason);
    append(f, false);
    closing_ = true;
    closing_since_ = Clock::now();
}

void VisitorConnection::made_progress() {
    while (record_at_ < records_.size() && records_[record_at_].end <= sent_) {
        if (records_[record_at_].counted) --counted_unsent_;
        ++record_at_;
    }
    if (sent_ == out_.size()) {
        out_.clear();
        sent_ = 0;
        records_.clear();
        record_at_ = 0;
    }
}

void VisitorConnection::flush() {
    if (ended_) return;
    if (close_after_flush_ && !closing_) {
        auto [code, reason] = std::move(*close_after_flush_);
        close_after_flush_.reset();
        append_close(code, reason);
    }
    while (sent_ < out_.size()) {
        const ssize_t n = ::send(fd_, out_.data() + sent_, out_.size() - sent_, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n <= 0) return end();  // the client is gone
        sent_ += static_cast<std::size_t>(n);
    }
    made_progress();
    const bool pending = sent_ < out_.size();
    if (closing_ && !pending) {
        // Our close frame (or our answer to the client's) is written.
        if (close_received_) return end();
        if (!write_shut_) {
            write_shut_ = true;
            ::shutdown(fd_, SHUT_WR);
        }
    }
    // Reading is held while the client leaves too much unread (it pings without reading, say).
    watch(out_.size() - sent_ <= kHoldReadsAbove, pending);
}

void VisitorConnection::writable() { flush(); }

void VisitorConnection::watch(bool read, bool write) {
    if (ended_ || (read == watching_read_ && write == watching_write_)) return;
    watching_read_ = read;
    watching_write_ = write;
    loop_.watch(this, read, write);
}

void VisitorConnection::sweep(Clock::time_point now) {
    if (ended_) return;
    // Buffers grown by a burst are given back once they are empty (idle connections stay small;
    // a busy one keeps its buffers from one round to the next).
    if (out_.empty() && out_.capacity() > kKeepCapacity) std::string().swap(out_);
    if (records_.empty() && records_.capacity() > 64) std::vector<Record>().swap(records_);
    if (in_.empty() && in_.capacity() > kKeepCapacity) std::string().swap(in_);
    if (closing_) {
        if (now - closing_since_ > kCloseHandshake) end();
        return;
    }
    if (now - last_rx_ > kIdleEnd) return end();
    if (!pinged_ && now - last_rx_ > kPingAfter) {
        pinged_ = true;
        append_frame(ws::ping, {}, false);
        loop_.mark_dirty(this);
    }
}

void VisitorConnection::end() {
    if (ended_) return;
    ended_ = true;
    loop_.forget(this);
    ::close(fd_);  // also leaves the epoll set
    if (joined_) {
        joined_ = false;
        state_.leave(this);
        session_.closed();
    }
}

}  // namespace chat::server
