// test_frames_out.cpp — what leaves a WebSocket session, seen byte by byte on the wire.
//
// A visitor's frames are framed by the visitor loop into the connection's buffer and leave with
// one send per round (server/visitor_connection.hpp); its control frames (pongs, close) go
// through the same buffer. A raw socket client (no WebSocket library between the test and the
// bytes) checks that every frame arrives whole and in order, that pongs answer pings in order,
// that a client that pings without reading is held back instead of making the server buffer
// without bound, and the framing rules: fragments put together, text that is not UTF-8 and
// broken frames closed with their codes, the client's close answered, bad handshakes refused.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>

#include "chatd_process.hpp"
#include "ws_client.hpp"

using namespace chat::test;
using nlohmann::json;

namespace {

// A WebSocket client on a plain socket: the upgrade by hand, masked frames out, frames in.
class RawWs {
public:
    explicit RawWs(unsigned short port) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect failed");
        int one = 1;
        ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        timeval tv{10, 0};
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        send_all("GET /ws/visitor?lang=en HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        while (in_.find("\r\n\r\n") == std::string::npos) fill();
        const auto end = in_.find("\r\n\r\n") + 4;
        if (in_.rfind("HTTP/1.1 101", 0) != 0) throw std::runtime_error("upgrade refused: " + in_.substr(0, end));
        in_.erase(0, end);  // frames that came with the response stay buffered
    }
    ~RawWs() { ::close(fd_); }

    // Sends one masked frame (opcode 1 = text, 9 = ping).
    void send_frame(int opcode, const std::string& payload) { send_all(frame(opcode, payload)); }
    // A final frame, or with `fin` false the first or a middle fragment of a message.
    static std::string frame(int opcode, const std::string& payload, bool fin = true) {
        std::string f;
        f += static_cast<char>((fin ? 0x80 : 0) | opcode);
        const std::size_t n = payload.size();
        if (n < 126) {
            f += static_cast<char>(0x80 | n);
        } else {
            f += static_cast<char>(0x80 | 126);
            f += static_cast<char>(n >> 8);
            f += static_cast<char>(n & 0xFF);
        }
        const char key[4] = {0x11, 0x22, 0x33, 0x44};
        f.append(key, 4);
        for (std::size_t i = 0; i < n; ++i) f += static_cast<char>(payload[i] ^ key[i % 4]);
        return f;
    }
    void send_all(const std::string& bytes) {
        std::size_t off = 0;
        while (off < bytes.size()) {
            ssize_t w = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
            if (w <= 0) throw std::runtime_error("send failed");
            off += static_cast<std::size_t>(w);
        }
    }

    struct Frame {
        int opcode;
        std::string payload;
    };
    // The next frame from the server (unmasked, unfragmented: the server writes each whole).
    Frame next() {
        for (;;) {
            if (in_.size() >= 2) {
                const auto b0 = static_cast<unsigned char>(in_[0]), b1 = static_cast<unsigned char>(in_[1]);
                REQUIRE((b0 & 0x80) != 0);  // FIN: never a fragment
                REQUIRE((b1 & 0x80) == 0);  // the server does not mask
                std::size_t len = b1 & 0x7F, head = 2;
                if (len == 126) {
                    if (in_.size() < 4) { fill(); continue; }
                    len = (static_cast<unsigned char>(in_[2]) << 8) | static_cast<unsigned char>(in_[3]);
                    head = 4;
                } else if (len == 127) {
                    if (in_.size() < 10) { fill(); continue; }
                    len = 0;
                    for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(in_[i]);
                    head = 10;
                }
                if (in_.size() >= head + len) {
                    Frame f{b0 & 0x0F, in_.substr(head, len)};
                    in_.erase(0, head + len);
                    return f;
                }
            }
            fill();
        }
    }
    json next_json() {
        auto f = next();
        REQUIRE(f.opcode == 1);
        return json::parse(f.payload);
    }

    // The close code the server's close frame carries, after any other frames.
    int close_code() {
        for (;;) {
            auto f = next();
            if (f.opcode == 8) return f.payload.size() >= 2 ? (static_cast<unsigned char>(f.payload[0]) << 8) |
                                                                  static_cast<unsigned char>(f.payload[1])
                                                            : 1005;
        }
    }
    // True when the server closed the TCP connection (end of stream) within the receive timeout.
    bool ended() {
        char buf[4096];
        for (;;) {
            ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
            if (r == 0) return true;
            if (r < 0) return false;
        }
    }

private:
    void fill() {
        char buf[65536];
        ssize_t r = ::recv(fd_, buf, sizeof buf, 0);
        if (r <= 0) throw std::runtime_error("connection ended or timed out");
        in_.append(buf, static_cast<std::size_t>(r));
    }
    int fd_ = -1;
    std::string in_;
};

// One HTTP exchange on a fresh socket: the response's head.
std::string http_exchange(unsigned short port, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("connect failed");
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    std::string in;
    char buf[4096];
    while (in.find("\r\n\r\n") == std::string::npos) {
        ssize_t r = ::recv(fd, buf, sizeof buf, 0);
        if (r <= 0) break;
        in.append(buf, static_cast<std::size_t>(r));
    }
    ::close(fd);
    return in.substr(0, in.find("\r\n\r\n"));
}

long rss_kb(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}

std::string message(const std::string& text, const std::string& client_id) {
    return json{{"type", "message"}, {"text", text}, {"client_id", client_id}}.dump();
}

}  // namespace

TEST_CASE("a turn's frames arrive whole and in order: ack, the message, the bot's answer") {
    ChatdProcess chatd;
    RawWs ws(chatd.port());
    CHECK(ws.next_json()["type"] == "welcome");
    for (int i = 0; i < 5; ++i) {
        const std::string cid = "c-" + std::to_string(i);
        ws.send_frame(1, message("how long does delivery take?", cid));
        // A ping in the middle: its pong may come before or after the turn's frames, never inside one.
        ws.send_frame(9, "ping-" + std::to_string(i));
        bool pong = false;
        std::vector<std::string> types;
        while (types.size() < 3 || !pong) {
            auto f = ws.next();
            if (f.opcode == 0xA) {
                CHECK(f.payload == "ping-" + std::to_string(i));
                pong = true;
                continue;
            }
            REQUIRE(f.opcode == 1);
            auto j = json::parse(f.payload);
            if (j["type"] == "ack") CHECK(j["client_id"] == cid);
            if (j["type"] == "message" && j["author"] == "visitor") CHECK(j["client_id"] == cid);
            std::string kind = j["type"].get<std::string>();
            if (j.contains("author")) kind.append("/").append(j["author"].get_ref<const std::string&>());
            types.push_back(kind);
        }
        CHECK(types == std::vector<std::string>{"ack", "message/visitor", "message/bot"});
    }
}

TEST_CASE("a client that pings without reading is held back, not buffered: every pong comes, in order") {
    ChatdProcess chatd;
    RawWs ws(chatd.port());
    CHECK(ws.next_json()["type"] == "welcome");
    const long rss_before = rss_kb(chatd.pid());
    // ~37 MB of pongs, far more than the socket buffers hold while nobody reads.
    constexpr int kPings = 300000;
    const std::string pad(112, 'p');
    auto payload = [&](int i) {
        std::string s = std::to_string(i);
        return s + pad.substr(0, 120 - s.size());
    };
    std::atomic<int> sent{0};
    std::thread pinger([&] {
        std::string batch;
        for (int i = 0; i < kPings; ++i) {
            batch += RawWs::frame(9, payload(i));
            if (batch.size() > 16384 || i + 1 == kPings) {
                ws.send_all(batch);
                batch.clear();
                sent = i + 1;
            }
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    // The server stopped reading once its buffer held more than its bound: the pinger is stuck.
    CHECK(sent.load() < kPings);
    CHECK(rss_kb(chatd.pid()) - rss_before < 16 * 1024);
    for (int i = 0; i < kPings; ++i) {
        auto f = ws.next();
        REQUIRE(f.opcode == 0xA);
        REQUIRE(f.payload == payload(i));
    }
    pinger.join();
    // And the connection still works.
    ws.send_frame(1, message("hello", "after-pings"));
    CHECK(ws.next_json()["type"] == "ack");
}

TEST_CASE("a message sent in fragments is put together, with a ping between them, and answered") {
    ChatdProcess chatd;
    RawWs ws(chatd.port());
    CHECK(ws.next_json()["type"] == "welcome");
    const std::string whole = message("how long does delivery take?", "frag-1");
    ws.send_all(RawWs::frame(1, whole.substr(0, 10), false) + RawWs::frame(9, "between") +
                RawWs::frame(0, whole.substr(10, 15), false) + RawWs::frame(0, whole.substr(25)));
    bool pong = false, ack = false, bot = false;
    while (!(pong && ack && bot)) {
        auto f = ws.next();
        if (f.opcode == 0xA) {
            CHECK(f.payload == "between");
            pong = true;
            continue;
        }
        auto j = json::parse(f.payload);
        if (j["type"] == "ack") ack = j["client_id"] == "frag-1";
        if (j["type"] == "message" && j["author"] == "bot") bot = true;
    }
    CHECK(pong);
}

TEST_CASE("text that is not UTF-8 closes with 1007, a broken frame with 1002, and neither is logged") {
    ChatdProcess chatd;
    {
        RawWs ws(chatd.port());
        CHECK(ws.next_json()["type"] == "welcome");
        ws.send_frame(1, std::string("{\"type\":\"message\",\"text\":\"caf\xe9\",\"client_id\":\"u\"}"));
        CHECK(ws.close_code() == 1007);
    }
    {
        RawWs ws(chatd.port());
        CHECK(ws.next_json()["type"] == "welcome");
        ws.send_all(std::string("\x81\x05hello", 7));  // not masked
        CHECK(ws.close_code() == 1002);
    }
    {
        RawWs ws(chatd.port());
        CHECK(ws.next_json()["type"] == "welcome");
        ws.send_all(RawWs::frame(0, "orphan"));  // a continuation with no message begun
        CHECK(ws.close_code() == 1002);
    }
    // The server carries on, and nothing of it reached the log.
    RawWs ws(chatd.port());
    CHECK(ws.next_json()["type"] == "welcome");
    ws.send_frame(1, message("hello", "after"));
    CHECK(ws.next_json()["type"] == "ack");
    std::string log;
    for (const auto& e : std::filesystem::directory_iterator(chatd.data_dir()))
        if (e.path().extension() == ".jsonl") {
            std::ifstream in(e.path());
            log.append(std::istreambuf_iterator<char>(in), {});
        }
    CHECK(log.find("\"client_id\":\"u\"") == std::string::npos);
    CHECK(log.find("\"client_id\":\"after\"") != std::string::npos);
}

TEST_CASE("the client's close is answered with its code, then the server ends the connection") {
    ChatdProcess chatd;
    RawWs ws(chatd.port());
    CHECK(ws.next_json()["type"] == "welcome");
    ws.send_all(RawWs::frame(8, std::string("\x03\xe8" "bye", 5)));
    CHECK(ws.close_code() == 1000);
    CHECK(ws.ended());
}

TEST_CASE("a handshake that is not WebSocket 13 is refused: 426 for another version, 400 for a bad key") {
    ChatdProcess chatd;
    const std::string head = "GET /ws/visitor HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n";
    const std::string v8 = http_exchange(chatd.port(), head + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n");
    CHECK(v8.rfind("HTTP/1.1 426", 0) == 0);
    CHECK(v8.find("Sec-WebSocket-Version: 13") != std::string::npos);
    const std::string bad_key = http_exchange(chatd.port(), head + "Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n\r\n");
    CHECK(bad_key.rfind("HTTP/1.1 400", 0) == 0);
    const std::string ok = http_exchange(chatd.port(), head + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
    CHECK(ok.rfind("HTTP/1.1 101", 0) == 0);
    CHECK(ok.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") != std::string::npos);
}

TEST_CASE("a client that never answers the server's close frame is let go within two seconds") {
    ChatdProcess chatd;
    auto visitors = [&] {
        const auto n = metric(chatd.port(), "chat_connections{role=\"visitor\"}");
        REQUIRE(n);
        return *n;
    };
    RawWs ws(chatd.port());
    CHECK(ws.next_json()["type"] == "welcome");
    CHECK(visitors() == 1);
    ws.send_all(std::string("\x81\x05hello", 7));  // not masked: the server closes with 1002
    const auto sent = std::chrono::steady_clock::now();
    CHECK(ws.close_code() == 1002);
    CHECK(ws.ended());  // the server's side is shut for writing once its close frame is out
    // The client neither answers nor closes its side: the server lets the connection go anyway.
    while (visitors() != 0 && std::chrono::steady_clock::now() - sent < std::chrono::seconds(5))
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(visitors() == 0);
    CHECK(std::chrono::steady_clock::now() - sent < std::chrono::milliseconds(2500));
    RawWs other(chatd.port());
    CHECK(other.next_json()["type"] == "welcome");
}
