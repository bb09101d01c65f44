// batching_stream.hpp — the stream layer beneath websocket::stream that gathers what Beast
// writes and sends it with one write.
//
// Beast writes one WebSocket message per operation, and each became its own sendmsg: three or
// four per visitor message (echo, ack, answer). Beneath the WebSocket stream this layer takes
// every write into a per-connection buffer, at once, and sends the buffer with one write when
// flush() is called (the session does so once it has written all the frames of a turn) or
// when Beast itself wrote something (the upgrade response, pings, pongs, close frames). Beast
// still does all the framing and the control frames, and since everything goes through the
// same buffer, in order, nothing interleaves: what Beast writes is sent in the order written.
//
// While a write is on its way the buffer fills behind it; its contents leave with the next
// write. Beast's own asynchronous writes complete at once unless the buffer holds more than
// kHoldAboveBytes: then they complete when the write under way has finished, which stops
// Beast's read loop from answering pings faster than the peer reads. The session bounds its
// own frames by counting them (queued_writes()) and drops a client that lets them pile up.
//
// Requirements of websocket::stream on its next layer: get_executor(), the synchronous and
// asynchronous read_some/write_some, next_layer() (for get_lowest_layer) and async_teardown
// (here: send what is buffered — the close frame — then tear the next layer down).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "net.hpp"

namespace chat::server {

template <class NextLayer>
class BatchingStream {
public:
    using executor_type = typename NextLayer::executor_type;
    using next_layer_type = NextLayer;

    // Beast's own writes complete at once below this many buffered bytes.
    static constexpr std::size_t kHoldAboveBytes = 64 * 1024;
    // A buffer grown past this by a burst is given back once empty (idle connections stay small).
    static constexpr std::size_t kKeepCapacity = 8 * 1024;

    template <class... Args>
    explicit BatchingStream(Args&&... args)
        : next_(std::forward<Args>(args)...), drained_timer_(next_.get_executor(), net::steady_timer::time_point::max()) {}

    BatchingStream(const BatchingStream&) = delete;
    BatchingStream& operator=(const BatchingStream&) = delete;

    executor_type get_executor() noexcept { return next_.get_executor(); }
    NextLayer& next_layer() noexcept { return next_; }
    const NextLayer& next_layer() const noexcept { return next_; }

    // What keeps this stream alive while a write is under way (the session owning it).
    void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }
    // Called on the stream's executor when everything buffered has been written, or when a
    // write failed (then with the error; nothing more will be sent).
    void on_drained(std::function<void(error_code)> f) { drained_ = std::move(f); }

    // --- reading: straight through ---
    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& b) {
        return next_.read_some(b);
    }
    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& b, error_code& ec) {
        return next_.read_some(b, ec);
    }
    template <class MutableBufferSequence, class ReadHandler>
    auto async_read_some(const MutableBufferSequence& b, ReadHandler&& handler) {
        return next_.async_read_some(b, std::forward<ReadHandler>(handler));
    }

    // --- writing: into the buffer ---
    // Synchronous writes (the session's frames) never block: they are buffered until flush().
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& b, error_code& ec) {
        if (failed_) {
            ec = failed_;
            return 0;
        }
        ec = {};
        return append(b);
    }
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& b) {
        error_code ec;
        std::size_t n = write_some(b, ec);
        if (ec) throw boost::system::system_error(ec);
        return n;
    }

    // Beast's asynchronous writes: buffered, sent at once, completed without waiting for the
    // peer (unless the buffer is over its bound).
    template <class ConstBufferSequence, class WriteHandler>
    auto async_write_some(const ConstBufferSequence& b, WriteHandler&& handler) {
        return net::async_initiate<WriteHandler, void(error_code, std::size_t)>(
            [this](auto h, const ConstBufferSequence& buffers) {
                if (failed_) return complete_later(std::move(h), failed_, 0);
                const std::size_t n = append(buffers);
                flush();
                if (queued_bytes() > kHoldAboveBytes && sending_)
                    if (auto keep = owner_.lock())
                        return wait_drained(HeldWrite<decltype(h)>{this, std::move(keep), std::move(h), n});
                complete_later(std::move(h), error_code{}, n);
            },
            handler, b);
    }

    // Starts writing what is buffered, unless a write is already under way (what is buffered
    // then leaves when it completes).
    void flush() {
        if (sending_ || out_.empty() || failed_) return;
        auto keep = owner_.lock();
        if (!keep) return;  // the owner is being destroyed: the connection goes with it
        sending_ = true;
        std::swap(out_, inflight_);
        inflight_writes_ = out_writes_;
        out_writes_ = 0;
        net::async_write(next_, net::buffer(inflight_), [this, keep = std::move(keep)](error_code ec, std::size_t) {
            on_written(ec);
        });
    }

    // Frames buffered or on their way, and their bytes.
    std::size_t queued_writes() const { return out_writes_ + inflight_writes_; }
    std::size_t queued_bytes() const { return out_.size() + inflight_.size(); }
    bool sending() const { return sending_; }
    bool idle() const { return !sending_ && out_.empty(); }

    // Forgets what is buffered and not yet on its way (the connection is about to be closed).
    void discard_unsent() {
        out_.clear();
        out_writes_ = 0;
        wake();
    }

    template <class TeardownHandler>
    friend void async_teardown(beast::role_type role, BatchingStream& s, TeardownHandler&& handler) {
        s.flush();
        TeardownOp<std::decay_t<TeardownHandler>>{&s, role, std::forward<TeardownHandler>(handler)}(error_code{});
    }
    friend void teardown(beast::role_type role, BatchingStream& s, error_code& ec) {
        // Synchronous close (not used by the server): send what is buffered, then tear down.
        if (!s.out_.empty() && !s.sending_ && !s.failed_) net::write(s.next_, net::buffer(s.out_), ec);
        s.out_.clear();
        using boost::beast::websocket::teardown;
        teardown(role, s.next_, ec);
    }

private:
    // A write of Beast's waiting for the buffer to drain below its bound.
    template <class Handler>
    struct HeldWrite {
        BatchingStream* s;
        std::shared_ptr<void> keep;
        Handler h;
        std::size_t n;
        void operator()(error_code) {
            if (s->failed_) return std::move(h)(s->failed_, std::size_t{0});
            if (s->sending_ && s->queued_bytes() > kHoldAboveBytes) return s->wait_drained(std::move(*this));
            std::move(h)(error_code{}, n);
        }
    };
    // The teardown, once everything buffered (the close frame last) has been written.
    template <class Handler>
    struct TeardownOp {
        BatchingStream* s;
        beast::role_type role;
        Handler h;
        void operator()(error_code) {
            // Only a write under way wakes the wait (flush() cannot start one once the owner
            // is gone: then what is left is dropped with the connection).
            if (!s->failed_ && s->sending_) return s->wait_drained(std::move(*this));
            using boost::beast::websocket::async_teardown;
            async_teardown(role, s->next_, std::move(h));
        }
    };

    template <class Op>
    void wait_drained(Op&& op) {
        ++waiting_;
        drained_timer_.async_wait(std::forward<Op>(op));
    }
    // Lets every waiting operation look again (after a write, a failure, a discard).
    void wake() {
        if (waiting_ == 0) return;
        waiting_ = 0;
        drained_timer_.cancel();
    }

    template <class ConstBufferSequence>
    std::size_t append(const ConstBufferSequence& buffers) {
        std::size_t n = 0;
        for (auto it = net::buffer_sequence_begin(buffers); it != net::buffer_sequence_end(buffers); ++it) {
            net::const_buffer b(*it);
            out_.append(static_cast<const char*>(b.data()), b.size());
            n += b.size();
        }
        if (n) ++out_writes_;
        return n;
    }

    template <class Handler>
    void complete_later(Handler&& h, error_code ec, std::size_t n) {
        net::post(get_executor(), beast::bind_handler(std::forward<Handler>(h), ec, n));
    }

    void on_written(error_code ec) {
        sending_ = false;
        inflight_writes_ = 0;
        inflight_.clear();
        if (inflight_.capacity() > kKeepCapacity) std::string().swap(inflight_);
        if (ec) {
            failed_ = ec;
            out_.clear();
            out_writes_ = 0;
            wake();
            if (drained_) drained_(ec);
            return;
        }
        flush();
        wake();
        if (sending_) return;
        if (out_.capacity() > kKeepCapacity) std::string().swap(out_);
        if (drained_) drained_({});
    }

    NextLayer next_;
    std::string out_, inflight_;  // buffered; on its way
    std::size_t out_writes_ = 0, inflight_writes_ = 0;
    bool sending_ = false;
    error_code failed_;
    net::steady_timer drained_timer_;  // never expires: cancelled to wake waiting operations
    std::size_t waiting_ = 0;
    std::weak_ptr<void> owner_;
    std::function<void(error_code)> drained_;
};

}  // namespace chat::server
