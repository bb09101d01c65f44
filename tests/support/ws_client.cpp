// ws_client.cpp — the test client on Beast, with timeouts through io_context::run_for.
#include "ws_client.hpp"

#include <signal.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace chat::test {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
// Tests write to pipes and sockets whose peer may be gone: report errors, never die of SIGPIPE.
const bool sigpipe_ignored = [] {
    ::signal(SIGPIPE, SIG_IGN);
    return true;
}();
}  // namespace

struct WsClient::Impl {
    net::io_context ioc;
    websocket::stream<beast::tcp_stream> ws{ioc};
    beast::flat_buffer buffer;
    bool closed = false;
    bool reading = false;
    bool done = false;
    beast::error_code result;
};

WsClient::WsClient(unsigned short port, const std::string& target, const Headers& headers, const std::string& source)
    : impl_(std::make_unique<Impl>()) {
    auto& ws = impl_->ws;
    beast::get_lowest_layer(ws).expires_after(std::chrono::seconds(10));
    if (!source.empty()) {
        auto& sock = beast::get_lowest_layer(ws).socket();
        sock.open(tcp::v4());
        sock.bind(tcp::endpoint(net::ip::make_address(source), 0));
    }
    beast::get_lowest_layer(ws).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(websocket::stream_base::decorator([headers](websocket::request_type& req) {
        for (auto& [k, v] : headers) req.set(k, v);
    }));
    ws.read_message_max(64 * 1024 * 1024);
    websocket::response_type res;
    beast::error_code ec;
    ws.handshake(res, "127.0.0.1:" + std::to_string(port), target, ec);
    if (ec) throw std::runtime_error("WebSocket upgrade refused: " + ec.message() + " (HTTP " + std::to_string(res.result_int()) + ")");
    ws.text(true);
}

WsClient::~WsClient() = default;
WsClient::WsClient(WsClient&&) noexcept = default;

void WsClient::send(const std::string& text) {
    beast::error_code ec;
    impl_->ws.write(net::buffer(text), ec);
    if (ec) throw WsClosed(static_cast<int>(impl_->ws.reason().code), "write failed: " + ec.message());
}

std::optional<std::string> WsClient::recv(std::chrono::milliseconds timeout) {
    auto& im = *impl_;
    if (im.closed) throw WsClosed(static_cast<int>(im.ws.reason().code), "connection closed");
    // A read that timed out stays pending and is picked up by the next call, so no frame is
    // lost and the stream is never cancelled half-way through a frame.
    if (!im.reading) {
        im.reading = true;
        im.done = false;
        im.ws.async_read(im.buffer, [&im](beast::error_code ec, std::size_t) {
            im.result = ec;
            im.done = true;
        });
    }
    im.ioc.restart();
    auto until = std::chrono::steady_clock::now() + timeout;
    while (!im.done && std::chrono::steady_clock::now() < until) {
        im.ioc.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()));
        im.ioc.restart();
    }
    if (!im.done) return std::nullopt;
    im.reading = false;
    if (im.result) {
        im.closed = true;
        throw WsClosed(static_cast<int>(im.ws.reason().code), "connection closed: " + im.result.message());
    }
    std::string text = beast::buffers_to_string(im.buffer.cdata());
    im.buffer.consume(im.buffer.size());
    return text;
}

nlohmann::json WsClient::next(std::chrono::milliseconds timeout) {
    auto text = recv(timeout);
    if (!text) throw std::runtime_error("no frame within " + std::to_string(timeout.count()) + " ms");
    return nlohmann::json::parse(*text);
}

nlohmann::json WsClient::expect(const std::string& type, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("no '" + type + "' frame within " + std::to_string(timeout.count()) + " ms");
        auto text = recv(left);
        if (!text) continue;
        auto j = nlohmann::json::parse(*text);
        if (j.value("type", "") == type) return j;
    }
}

void WsClient::close() {
    auto& im = *impl_;
    if (im.closed) return;
    im.closed = true;
    beast::get_lowest_layer(im.ws).expires_after(std::chrono::seconds(2));
    im.ws.async_close(websocket::close_code::normal, [](beast::error_code) {});
    if (!im.reading) {
        // The close handshake needs a read to see the server's close frame.
        im.reading = true;
        im.ws.async_read(im.buffer, [&im](beast::error_code ec, std::size_t) { im.done = true; });
    }
    im.ioc.restart();
    im.ioc.run_for(std::chrono::seconds(2));
}

HttpReply http_request(unsigned short port, const std::string& method, const std::string& target,
                       const std::string& body, const WsClient::Headers& headers) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    for (auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    parser.skip(method == "HEAD");
    http::read(stream, buffer, parser);
    auto& res = parser.get();
    HttpReply reply;
    reply.status = res.result_int();
    reply.body = res.body();
    for (auto& f : res) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        reply.headers[name] = std::string(f.value());
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    return reply;
}

std::optional<long long> metric(unsigned short port, const std::string& series) {
    const std::string body = http_request(port, "GET", "/metrics").body;
    const std::string line = "\n" + series + " ";
    const auto pos = body.find(line);
    if (pos == std::string::npos) return std::nullopt;
    return std::stoll(body.substr(pos + line.size()));
}

}  // namespace chat::test
