// TLS against the real chatd: HTTPS and WSS with a certificate, TLS 1.2+ only, no plain HTTP
// on the TLS port, the Secure cookie, the real client address behind chatd's own TLS front,
// and certificates that do not load.
#include <catch2/catch.hpp>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <thread>

#include "security_support.hpp"

using namespace chat::test;
using nlohmann::json;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

struct Certificate {
    TempDir dir;
    std::string cert() const { return (dir.path() / "cert.pem").string(); }
    std::string key() const { return (dir.path() / "key.pem").string(); }
    Certificate() {
        auto r = run_program({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                              "-subj", "/CN=localhost", "-days", "2", "-keyout", key(), "-out", cert()});
        REQUIRE(r.code == 0);
    }
};

// A TLS client context; `max` caps the protocol version (0: no cap).
ssl::context client_context(int max = 0) {
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_verify_mode(ssl::verify_none);
    if (max) SSL_CTX_set_max_proto_version(ctx.native_handle(), max);
    return ctx;
}

// Connects (from `source` when given) and completes the TLS handshake.
std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_connect(net::io_context& ioc, ssl::context& ctx, unsigned short port,
                                                                  const std::string& source = "") {
    auto s = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc, ctx);
    auto& sock = beast::get_lowest_layer(*s).socket();
    sock.open(tcp::v4());
    if (!source.empty()) sock.bind(tcp::endpoint(net::ip::make_address(source), 0));
    beast::get_lowest_layer(*s).expires_after(std::chrono::seconds(5));
    beast::get_lowest_layer(*s).connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
    s->handshake(ssl::stream_base::client);
    return s;
}

http::response<http::string_body> https(unsigned short port, http::verb verb, const std::string& target,
                                        const std::string& body = "", const std::string& source = "") {
    net::io_context ioc;
    auto ctx = client_context();
    auto s = tls_connect(ioc, ctx, port, source);
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
    http::write(*s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(*s, buf, res);
    return res;
}

}  // namespace

TEST_CASE("with a certificate chatd speaks HTTPS and WSS, TLS 1.2 and later only") {
    Certificate c;
    SecureShop shop("", {{"alice", "agent"}}, {"--tls-cert", c.cert(), "--tls-key", c.key()});
    CHECK(shop.chatd->output().find("listening on https://") != std::string::npos);
    auto health = https(shop.port(), http::verb::get, "/healthz");
    CHECK(health.result_int() == 200);
    CHECK(json::parse(health.body())["status"] == "ok");

    // TLS 1.2 is accepted, 1.1 refused.
    {
        net::io_context ioc;
        auto ctx12 = client_context(TLS1_2_VERSION);
        CHECK_NOTHROW(tls_connect(ioc, ctx12, shop.port()));
        auto ctx11 = client_context(TLS1_1_VERSION);
        CHECK_THROWS(tls_connect(ioc, ctx11, shop.port()));
    }
    // Plain HTTP on the TLS port gets no HTTP answer.
    CHECK_THROWS(http_request(shop.port(), "GET", "/healthz"));

    // The session cookie is Secure.
    auto login = https(shop.port(), http::verb::post, "/api/login", R"({"user":"alice","password":"correct horse 42"})");
    CHECK(login.result_int() == 200);
    CHECK(std::string(login[http::field::set_cookie]).find("; Secure") != std::string::npos);

    // WSS: a visitor chats as over plain WebSocket.
    net::io_context ioc;
    auto ctx = client_context();
    auto stream = tls_connect(ioc, ctx, shop.port());
    beast::websocket::stream<beast::ssl_stream<beast::tcp_stream>> ws(std::move(*stream));
    beast::get_lowest_layer(ws).expires_never();
    ws.set_option(beast::websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws.handshake("127.0.0.1:" + std::to_string(shop.port()), "/ws/visitor?lang=en");
    beast::flat_buffer buf;
    ws.read(buf);
    json welcome = json::parse(beast::buffers_to_string(buf.data()));
    CHECK(welcome["type"] == "welcome");
    ws.write(net::buffer(json{{"type", "message"}, {"text", "hello over TLS"}, {"client_id", "t1"}}.dump()));
    bool acked = false;
    for (int i = 0; i < 5 && !acked; ++i) {
        buf.clear();
        ws.read(buf);
        acked = json::parse(beast::buffers_to_string(buf.data()))["type"] == "ack";
    }
    CHECK(acked);
}

TEST_CASE("behind chatd's TLS front the client's own address is counted and audited") {
    Certificate c;
    SecureShop shop(R"({"limits":{"conns_per_address":2}})", {{"alice", "agent"}}, {"--tls-cert", c.cert(), "--tls-key", c.key()});
    https(shop.port(), http::verb::post, "/api/login", R"({"user":"alice","password":"correct horse 42"})", "127.0.0.3");
    std::string addr;
    eventually([&] {
        for (const auto& e : shop.events())
            if (e["type"] == "audit" && e["action"] == "login") addr = e["addr"];
        return !addr.empty();
    });
    CHECK(addr == "127.0.0.3");  // not the loopback relay's address
    // Two connections from 127.0.0.4 fill its budget; 127.0.0.5 is still served.
    net::io_context ioc;
    auto ctx = client_context();
    auto a = tls_connect(ioc, ctx, shop.port(), "127.0.0.4");
    auto b = tls_connect(ioc, ctx, shop.port(), "127.0.0.4");
    CHECK(eventually([&] { return https(shop.port(), http::verb::get, "/healthz", "", "127.0.0.4").result_int() == 429; }));
    CHECK(https(shop.port(), http::verb::get, "/healthz", "", "127.0.0.5").result_int() == 200);
}

TEST_CASE("a certificate or key that does not load stops start-up with exit 1 naming the file") {
    Certificate c, other;
    TempDir dir;
    auto r = run_program({chatd_path(), "--listen", "127.0.0.1:0", "--data", dir.path().string(), "--tls-cert",
                          (dir.path() / "missing.pem").string(), "--tls-key", c.key()});
    CHECK(r.code == 1);
    CHECK(r.out.find("missing.pem") != std::string::npos);
    r = run_program({chatd_path(), "--listen", "127.0.0.1:0", "--data", dir.path().string(), "--tls-cert", c.cert(), "--tls-key",
                     other.key()});
    CHECK(r.code == 1);
    CHECK(r.out.find("--tls-key") != std::string::npos);
    CHECK(r.out.find(other.key()) != std::string::npos);
    CHECK(run_program({chatd_path(), "--tls-cert", c.cert()}).code == 2);
}
