// relay_floor.cpp — the Node.js baseline relay (bench/baseline/relay.mjs) written as lean as
// C++ on Linux allows: the ceiling of what any server can sustain on this machine for
// chat-bench's load, the same protocol subset and the same durability.
//
//   relay-floor --port P --data DIR [--commit-window-us 2000]
//
// It does what relay.mjs does, with the same frames and log lines for chat-bench's
// conversations and the same error frames for bad input: a welcome on
// connect; a message is appended (conversation.opened when it opens one, the visitor's message,
// the bot's answer from the same six keyword answers) and, once durable, echoed, acked and
// answered; helpful/resolve → conversation.resolved then `resolved`; csat → `ok` and the next
// message opens a new conversation; handoff → no_agent. Nothing chatd adds is here: no FAQ
// engine, no routing state, no agents, no history, no KPIs, no limits beyond the frame size.
//
// How: one event-loop thread (epoll, level-triggered: one read per readiness, so no read that
// finds nothing; non-blocking sockets, TCP_NODELAY) and one writer thread doing group commit
// (one write and one fdatasync per batch, at most one sync per commit window — chatd's rule;
// 0 syncs as soon as the previous sync ended, as relay.mjs does). The loop hands the writer the
// lines and the replies they release; the writer hands the replies back once synced and wakes
// the loop with one eventfd write per batch. Every connection that got bytes in a round is
// flushed with one send(). WebSocket (RFC 6455) server side: masked client frames, text frames
// handled, ping/pong, close; a fragmented message is closed with 1003 (chat-bench never
// fragments), a payload over 64 KiB with 1009. Frames are read with simdjson; client strings
// go back out as their raw JSON tokens (already valid JSON), so nothing is re-escaped.
// The upgrade's accept value is chat-bench's (bench/chat-bench/ws_frames.cpp, libcrypto).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "ws_frames.hpp"  // the upgrade's accept value, shared with chat-bench

namespace {

constexpr std::size_t kMaxPayload = 65536;
constexpr std::size_t kMaxUnsent = 1 << 20;

std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// ---- the writer: group commit ----

// A reply released by a durable append: to connection `fd` of generation `gen`.
struct Reply {
    int fd;
    std::uint64_t gen;
    std::string frames;  // whole WebSocket frames, ready to send
    std::string failed;  // what to send instead when the append failed
};

class Writer {
public:
    Writer(int log_fd, int wake_fd, long window_us) : log_(log_fd), wake_(wake_fd), window_(window_us) {
        thread_ = std::thread([this] { run(); });
    }
    void append(std::string_view lines, Reply r) {
        std::lock_guard lk(m_);
        in_lines_.append(lines);
        in_replies_.push_back(std::move(r));
        if (idle_) cv_.notify_one();
    }
    // The replies whose lines are durable (or failed), in order.
    void take_done(std::vector<Reply>& out) {
        std::lock_guard lk(m_);
        out.swap(done_);
    }

private:
    void run() {
        std::string lines;
        std::vector<Reply> replies;
        auto last_sync = std::chrono::steady_clock::now() - std::chrono::seconds(1);
        for (;;) {
            {
                std::unique_lock lk(m_);
                idle_ = true;
                cv_.wait(lk, [&] { return !in_replies_.empty(); });
                idle_ = false;
            }
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
            if (ok && ::fdatasync(log_) != 0) ok = false;
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

    int log_, wake_;
    long window_;
    std::mutex m_;
    std::condition_variable cv_;
    bool idle_ = false;
    std::string in_lines_;
    std::vector<Reply> in_replies_, done_;
    std::thread thread_;
};

// ---- WebSocket framing and the upgrade ----

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

void append_close(std::string& out, std::uint16_t code) {
    const char body[2] = {static_cast<char>(code >> 8), static_cast<char>(code & 0xff)};
    append_frame(out, 8, std::string_view(body, 2));
}

// The value of header `name` (case-insensitive) in `head`, or empty.
std::string_view header(std::string_view head, std::string_view name) {
    std::size_t at = head.find("\r\n");
    while (at != std::string_view::npos && at + 2 < head.size()) {
        const std::size_t start = at + 2, end = head.find("\r\n", start);
        const std::string_view line = head.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        const std::size_t colon = line.find(':');
        if (colon == name.size() && std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
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

// ---- the relay ----

struct Answer {
    const char* stems[5];
    const char* faq;
    const char* text;
};
// relay.mjs's six answers, its regular expressions as case-insensitive substrings.
const Answer kFaq[] = {
    {{"livr", "deliver", "ship", "arriv", nullptr}, "delivery_time", "Orders arrive in 2 to 4 working days."},
    {{"rembours", "refund", nullptr}, "refund_status", "Refunds are paid within 5 days of receiving the return."},
    {{"retour", "return", nullptr}, "return_policy", "You have 30 days to return an item."},
    {{"pay", "paie", "carte", "card", nullptr}, "payment_methods", "We accept cards, PayPal and bank transfer."},
    {{"code", "promo", nullptr}, "promo_code", "Enter the code in your basket before paying."},
    {{"suivi", "track", "colis", "parcel", "where"}, "order_tracking", "Your tracking link is in the confirmation email."},
};

bool contains_ci(std::string_view hay, std::string_view needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
               return std::tolower(static_cast<unsigned char>(a)) == b;
           }) != hay.end();
}

const Answer* answer(std::string_view text) {
    for (const auto& a : kFaq)
        for (const char* s : a.stems)
            if (s && contains_ci(text, s)) return &a;
    return nullptr;
}

struct Conn {
    int fd = -1;
    std::uint64_t gen = 0;
    bool upgraded = false, closing = false, writable_armed = false;
    std::string in, out;
    std::size_t out_at = 0;
    std::string visitor;
    std::string conv;  // empty: none open
    std::uint64_t conv_seq = 0;
};

class Relay {
public:
    Relay(int port, int log_fd, long window_us) : writer_(log_fd, make_wake(), window_us) {
        listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;
        ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(static_cast<std::uint16_t>(port));
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_, 4096) != 0) {
            std::perror("relay-floor: listen");
            std::exit(1);
        }
        epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
        add(listen_, EPOLLIN);
        add(wake_, EPOLLIN);
    }

    [[noreturn]] void run() {
        std::vector<epoll_event> events(1024);
        std::vector<Reply> done;
        for (;;) {
            const int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), -1);
            for (int i = 0; i < n; ++i) {
                const int fd = events[i].data.fd;
                if (fd == listen_) accept_all();
                else if (fd == wake_) {
                    std::uint64_t v;
                    (void)!::read(wake_, &v, sizeof v);
                    writer_.take_done(done);
                    for (auto& r : done) {
                        auto it = conns_.find(r.fd);
                        if (it == conns_.end() || it->second.gen != r.gen) continue;  // gone since
                        queue(it->second, r.frames);
                    }
                    done.clear();
                } else if (auto it = conns_.find(fd); it != conns_.end()) {
                    if (events[i].events & EPOLLOUT) flush(it->second);
                    if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) readable(it->second);
                }
            }
            for (int fd : dirty_) {
                auto it = conns_.find(fd);
                if (it != conns_.end()) flush(it->second);
            }
            dirty_.clear();
            for (int fd : dead_) drop(fd);
            dead_.clear();
        }
    }

private:
    int make_wake() {
        wake_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        return wake_;
    }
    void add(int fd, std::uint32_t ev) {
        epoll_event e{};
        e.events = ev;
        e.data.fd = fd;
        ::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &e);
    }
    void accept_all() {
        for (;;) {
            const int fd = ::accept4(listen_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) return;
            int one = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            Conn& c = conns_[fd];
            c = Conn{};
            c.fd = fd;
            c.gen = ++gens_;
            add(fd, EPOLLIN);
        }
    }
    void queue(Conn& c, std::string_view bytes) {
        if (c.out.size() - c.out_at + bytes.size() > kMaxUnsent) {
            dead_.push_back(c.fd);  // does not read: let it go
            return;
        }
        c.out.append(bytes);
        dirty_.push_back(c.fd);
    }
    void flush(Conn& c) {
        while (c.out_at < c.out.size()) {
            const ssize_t n = ::send(c.fd, c.out.data() + c.out_at, c.out.size() - c.out_at, MSG_NOSIGNAL);
            if (n < 0 && errno == EAGAIN) break;
            if (n <= 0) return dead_.push_back(c.fd);
            c.out_at += static_cast<std::size_t>(n);
        }
        const bool pending = c.out_at < c.out.size();
        if (!pending) {
            c.out.clear();
            c.out_at = 0;
            if (c.closing) return dead_.push_back(c.fd);
        }
        if (pending != c.writable_armed) {
            c.writable_armed = pending;
            epoll_event e{};
            e.events = EPOLLIN | (pending ? EPOLLOUT : 0u);
            e.data.fd = c.fd;
            ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &e);
        }
    }
    void drop(int fd) {
        if (conns_.erase(fd) == 0) return;
        ::close(fd);  // also leaves the epoll set
    }
    void close_with(Conn& c, std::uint16_t code) {
        if (c.closing) return;
        std::string f;
        append_close(f, code);
        queue(c, f);
        c.closing = true;
    }

    void readable(Conn& c) {
        char buf[65536];
        const ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return dead_.push_back(c.fd);
        if (n < 0) return;
        if (c.closing) return;
        c.in.append(buf, static_cast<std::size_t>(n));
        if (!c.upgraded && !upgrade(c)) return;
        frames(c);
    }

    bool upgrade(Conn& c) {
        const std::size_t end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) {
            if (c.in.size() > 8192) dead_.push_back(c.fd);
            return false;
        }
        const std::string_view head(c.in.data(), end + 2);
        const std::string_view key = header(head, "sec-websocket-key");
        if (head.rfind("GET /ws/visitor ", 0) != 0 || key.empty()) {
            queue(c, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            c.closing = true;
            return false;
        }
        std::string res = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ";
        res += chat::bench::ws::accept_for(key);
        res += "\r\n\r\n";
        c.in.erase(0, end + 4);
        c.upgraded = true;
        unsigned char raw[8];
        if (::getrandom(raw, sizeof raw, 0) != sizeof raw) std::memset(raw, 0, sizeof raw);
        static constexpr char hex[] = "0123456789abcdef";
        for (unsigned char b : raw) {
            c.visitor += hex[b >> 4];
            c.visitor += hex[b & 15];
        }
        std::string welcome = R"({"type":"welcome","visitor":")" + c.visitor + R"(","token":")" + c.visitor + R"(","conv":null,"last_seq":0})";
        append_frame(res, 1, welcome);
        queue(c, res);
        return true;
    }

    void frames(Conn& c) {
        std::size_t at = 0;
        while (!c.closing) {
            const std::size_t avail = c.in.size() - at;
            if (avail < 2) break;
            const auto* p = reinterpret_cast<unsigned char*>(c.in.data() + at);
            const bool fin = p[0] & 0x80;
            const unsigned op = p[0] & 0x0f;
            if (!(p[1] & 0x80)) return close_with(c, 1002);  // clients must mask
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
            if (len > kMaxPayload) return close_with(c, 1009);
            if (avail < h + 4 + len) break;
            const unsigned char* mask = p + h;
            char* payload = c.in.data() + at + h + 4;
            for (std::uint64_t i = 0; i < len; ++i) payload[i] ^= static_cast<char>(mask[i & 3]);
            at += h + 4 + len;
            const std::string_view body(payload, len);
            if (!fin || op == 0) return close_with(c, 1003);
            if (op == 1) message(c, body);
            else if (op == 2) error(c, "bad_request", "binary frames are not accepted");
            else if (op == 8) return close_with(c, 1000);
            else if (op == 9) {
                std::string pong;
                append_frame(pong, 10, body);
                queue(c, pong);
            }
        }
        c.in.erase(0, at);
    }

    void send_json(std::string& out, std::string_view json) { append_frame(out, 1, json); }
    void error(Conn& c, std::string_view code, std::string_view msg) {
        std::string f;
        send_json(f, R"({"type":"error","code":")" + std::string(code) + R"(","message":")" + std::string(msg) + "\"}");
        queue(c, f);
    }
    std::string line_head(std::string_view type) {
        std::string l = R"({"v":1,"node":"node-baseline","seq":)";
        l += std::to_string(++log_seq_);
        l += R"(,"ts":)";
        l += std::to_string(now_ms());
        l += R"(,"type":")";
        l += type;
        l += '"';
        return l;
    }
    void durable(Conn& c, std::string_view lines, std::string frames, std::string_view failed_msg) {
        Reply r{c.fd, c.gen, std::move(frames), {}};
        send_json(r.failed, R"({"type":"error","code":"unavailable","message":")" + std::string(failed_msg) + "\"}");
        writer_.append(lines, std::move(r));
    }

    // A raw JSON token as simdjson gives it may carry the spaces up to the next token.
    static std::string_view trimmed(std::string_view raw) {
        while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' || raw.back() == '\n')) raw.remove_suffix(1);
        return raw;
    }

    void message(Conn& c, std::string_view body) {
        simdjson::padded_string copy(body);
        simdjson::ondemand::document doc;
        simdjson::ondemand::object obj;
        if (parser_.iterate(copy).get(doc) || doc.get_object().get(obj)) return error(c, "bad_json", "not JSON");
        std::string_view type, type_raw, client_id_raw, text_raw, text;
        std::int64_t score = 0;
        bool has_score = false, has_type = false;
        for (auto field : obj) {
            std::string_view key;
            if (field.unescaped_key().get(key)) return error(c, "bad_json", "not JSON");
            auto v = field.value();
            if (key == "type") {
                type_raw = trimmed(v.raw_json_token());
                has_type = !v.get_string().get(type);
            }
            else if (key == "client_id") {
                const std::string_view raw = trimmed(v.raw_json_token());
                std::string_view s;
                if (!v.get_string().get(s) && !s.empty()) client_id_raw = raw;
            } else if (key == "text") {
                const std::string_view raw = trimmed(v.raw_json_token());
                if (!v.get_string().get(text)) text_raw = raw;
            } else if (key == "score") has_score = !v.get_int64().get(score);
        }
        if (!has_type) return error(c, "bad_request", "no type");
        if (type == "message") {
            const bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
            if (client_id_raw.empty() || text_raw.empty() || blank) return error(c, "bad_request", "message needs client_id and text");
            const std::string cid(client_id_raw);
            std::string lines;
            if (c.conv.empty()) {
                c.conv = "cnode-" + std::to_string(++convs_);
                c.conv_seq = 0;
                lines += line_head("conversation.opened") + R"(,"conv":")" + c.conv + R"(","visitor":")" + c.visitor + "\"}\n";
            }
            const std::uint64_t mseq = ++c.conv_seq, bseq = ++c.conv_seq;
            const std::string msg = c.conv + "." + std::to_string(mseq), bmsg = c.conv + "." + std::to_string(bseq);
            const Answer* a = answer(text);
            const std::string faq = a ? std::string("\"") + a->faq + "\"" : "null";
            const std::string reply = std::string("\"") + (a ? a->text : "Could you tell me more?") + "\"";
            const char* outcome = a ? "answer" : "fallback";
            const std::string mfields = R"(,"conv":")" + c.conv + R"(","msg":")" + msg + R"(","author":"visitor","text":)" +
                                        std::string(text_raw) + R"(,"client_id":)" + cid;
            const std::string bfields = R"(,"conv":")" + c.conv + R"(","msg":")" + bmsg + R"(","author":"bot","text":)" + reply +
                                        R"(,"faq":)" + faq + R"(,"outcome":")" + outcome + R"(","suggestions":[])";
            lines += line_head("message") + mfields + "}\n";
            lines += line_head("message") + bfields + "}\n";
            const std::string ts = std::to_string(now_ms());
            std::string frames;
            send_json(frames, R"({"type":"message")" + mfields + R"(,"seq":)" + std::to_string(mseq) + R"(,"ts":)" + ts + "}");
            send_json(frames, R"({"type":"ack","client_id":)" + cid + R"(,"msg":")" + msg + R"(","seq":)" + std::to_string(mseq) + "}");
            send_json(frames, R"({"type":"message")" + bfields + R"(,"seq":)" + std::to_string(bseq) + R"(,"ts":)" + ts + "}");
            durable(c, lines, std::move(frames), "cannot store messages right now");
        } else if (type == "helpful" || type == "resolve") {
            if (c.conv.empty()) return error(c, "bad_request", "no open conversation");
            const std::uint64_t rseq = ++c.conv_seq;
            const std::string lines = line_head("conversation.resolved") + R"(,"conv":")" + c.conv + R"(","by":")" +
                                      (type == "helpful" ? "bot" : "visitor") + "\"}\n";
            std::string frames;
            send_json(frames, R"({"type":"resolved","conv":")" + c.conv + R"(","seq":)" + std::to_string(rseq) + R"(,"ts":)" +
                                  std::to_string(now_ms()) + R"(,"by":"bot","ask_csat":true})");
            durable(c, lines, std::move(frames), "cannot store right now");
        } else if (type == "csat") {
            if (!has_score || score < 1 || score > 5) return error(c, "bad_request", "csat 1..5");
            const std::string lines = line_head("csat") + R"(,"conv":)" + (c.conv.empty() ? std::string("null") : "\"" + c.conv + "\"") +
                                      R"(,"score":)" + std::to_string(score) + "}\n";
            c.conv.clear();  // the next message opens a new conversation
            std::string frames;
            send_json(frames, R"({"type":"ok","for":"csat"})");
            durable(c, lines, std::move(frames), "cannot store right now");
        } else if (type == "handoff") {
            std::string f;
            send_json(f, R"({"type":"no_agent","conv":)" + (c.conv.empty() ? std::string("null") : "\"" + c.conv + "\"") +
                             R"(,"hours":"no agent in this baseline"})");
            queue(c, f);
        } else {
            // The type as the client escaped it, between relay.mjs's quotes.
            error(c, "bad_request", "unknown frame type '" + std::string(type_raw.substr(1, type_raw.size() - 2)) + "'");
        }
    }

    int listen_ = -1, epfd_ = -1, wake_ = -1;
    Writer writer_;
    std::unordered_map<int, Conn> conns_;
    std::vector<int> dirty_, dead_;
    std::uint64_t gens_ = 0, convs_ = 0, log_seq_ = 0;
    simdjson::ondemand::parser parser_;
};

std::atomic<int> g_log_fd{-1};

}  // namespace

int main(int argc, char** argv) {
    int port = 18701;
    std::string data = "./relay-floor-data";
    long window_us = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view a = argv[i];
        if (a == "--port") port = std::atoi(argv[i + 1]);
        else if (a == "--data") data = argv[i + 1];
        else if (a == "--commit-window-us") window_us = std::atol(argv[i + 1]);
        else {
            std::fprintf(stderr, "relay-floor: unknown flag %s\nusage: relay-floor --port P --data DIR [--commit-window-us US]\n", argv[i]);
            return 2;
        }
    }
    std::string mk = "mkdir -p '" + data + "'";
    if (std::system(mk.c_str()) != 0) return 1;
    const int log_fd = ::open((data + "/events.jsonl").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        std::perror("relay-floor: open log");
        return 1;
    }
    g_log_fd = log_fd;
    ::signal(SIGPIPE, SIG_IGN);
    ::signal(SIGTERM, [](int) {
        ::fdatasync(g_log_fd);
        ::_exit(0);
    });
    Relay relay(port, log_fd, window_us);
    std::printf("relay-floor listening on ws://127.0.0.1:%d/ws/visitor (pid %d)\n", port, static_cast<int>(::getpid()));
    std::fflush(stdout);
    relay.run();
}
