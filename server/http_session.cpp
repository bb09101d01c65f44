// http_session.cpp — the HTTP read/answer loop and the hand-over of upgrades.
#include "http_session.hpp"

#include "http_routes.hpp"
#include "security_state.hpp"
#include "agent_session.hpp"
#include "client_address.hpp"
#include "origin_policy.hpp"
#include "security_state.hpp"
#include "visitor_connection.hpp"
#include "visitor_loop.hpp"
#include "ws_codec.hpp"

namespace chat::server {

namespace {
constexpr std::size_t kBodyLimit = 64 * 1024;
}

HttpSession::HttpSession(tcp::socket&& socket, std::shared_ptr<SharedState> state)
    : stream_(std::move(socket)), state_(std::move(state)) {}

HttpSession::~HttpSession() {
    if (joined_) state_->leave(this);
}

void HttpSession::run() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
        error_code ec;
        auto ep = self->stream_.socket().remote_endpoint(ec);
        self->peer_ = ec ? std::string{} : self->state_->security().relayed.resolve(ep.address().to_string(), ep.port());
        const auto joined = self->state_->join(self, self->peer_);
        if (joined != SharedState::Join::ok) {
            // Stopping, full, or too many connections from this address: say so and close.
            const bool address = joined == SharedState::Join::address_full;
            auto res = std::make_shared<http::response<http::string_body>>(
                address ? http::status::too_many_requests : http::status::service_unavailable, 11);
            res->set(http::field::content_type, "application/json");
            res->set(http::field::retry_after, "5");
            res->keep_alive(false);
            res->body() = address ? R"({"error":"rate_limited","message":"too many connections from your address"})"
                                  : R"({"error":"unavailable","message":"server is at capacity or stopping"})";
            res->prepare_payload();
            self->stream_.expires_after(std::chrono::seconds(5));
            http::async_write(self->stream_, *res, [self, res](error_code, std::size_t) { self->do_close(); });
            return;
        }
        self->joined_ = true;
        self->do_read();
    });
}

void HttpSession::shutdown() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
        self->stopping_ = true;
        if (!self->writing_) self->do_close();  // an idle keep-alive read is simply ended
    });
}

void HttpSession::do_read() {
    parser_.emplace();
    parser_->body_limit(kBodyLimit);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(std::chrono::seconds(state_->config().limits.header_timeout_s));
    http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
}

void HttpSession::on_read(error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == net::error::operation_aborted)
        return do_close();
    if (ec == http::error::body_limit || ec == http::error::header_limit) {
        auto res = std::make_shared<http::response<http::string_body>>(http::status::payload_too_large, 11);
        res->set(http::field::content_type, "application/json");
        res->keep_alive(false);
        res->body() = R"({"error":"too_large","message":"request too large"})";
        res->prepare_payload();
        writing_ = true;
        http::async_write(stream_, *res, [self = shared_from_this(), res](error_code, std::size_t) { self->do_close(); });
        return;
    }
    if (ec) return do_close();
    if (stopping_) return do_close();

    auto& req = parser_->get();
    const std::string client = client_address(peer_, req["X-Forwarded-For"], state_->security().trusted_proxies);
    if (websocket::is_upgrade(req)) {
        std::string_view target = req.target();
        std::string_view path = target.substr(0, target.find('?'));
        // Only the shop's pages open the visitor socket, only chatd's own pages the agent's.
        const std::string_view origin = req[http::field::origin];
        if ((path == "/ws/visitor" && !visitor_origin_ok(origin, state_->config().allowed_origins)) ||
            (path == "/ws/agent" && !same_origin(origin, req[http::field::host]))) {
            return refuse_upgrade(http::status::forbidden, req.version(), R"({"error":"forbidden","message":"origin not allowed"})");
        }
        // The WebSocket session takes over the connection and its place in the address count.
        auto hand_over = [this] {
            stream_.expires_never();
            if (joined_) state_->leave(this);
            joined_ = false;
        };
        if (path == "/ws/visitor") {
            // The handshake's own checks (RFC 6455 §4.2.1), then the socket goes to the visitor
            // loop, which answers 101 and carries the connection from there.
            const std::string_view version = req[http::field::sec_websocket_version];
            const std::string_view key = req[http::field::sec_websocket_key];
            if (version != "13" || !ws::valid_key(key)) {
                const bool other_version = !version.empty() && version != "13";
                return refuse_upgrade(other_version ? http::status::upgrade_required : http::status::bad_request, req.version(),
                                      R"({"error":"bad_request","message":"not a WebSocket version 13 handshake"})", other_version);
            }
            VisitorUpgrade up{std::string(target), std::string(key), peer_, beast::buffers_to_string(buffer_.data())};
            hand_over();
            tcp::socket socket = stream_.release_socket();
            error_code release_ec;
            const int fd = socket.release(release_ec);
            if (release_ec) return;  // the socket is closed with it
            state_->visitor_loop().adopt(fd, std::move(up));
            return;
        }
        if (path == "/ws/agent") {
            hand_over();
            std::make_shared<AgentSession>(stream_.release_socket(), state_)->run(parser_->release());
            return;
        }
    }
    stream_.expires_after(std::chrono::seconds(30));
    writing_ = true;  // until the answer is written; no read meanwhile
    handle_request(*state_, parser_->release(), client, [self = shared_from_this()](http::message_generator msg) {
        net::dispatch(self->stream_.get_executor(), [self, msg = std::move(msg)]() mutable {
            const bool keep_alive = msg.keep_alive() && !self->stopping_;
            beast::async_write(self->stream_, std::move(msg),
                               beast::bind_front_handler(&HttpSession::on_write, self, keep_alive));
        });
    });
}

void HttpSession::refuse_upgrade(http::status status, unsigned version, std::string_view body, bool offer_version_13) {
    auto res = std::make_shared<http::response<http::string_body>>(status, version);
    if (offer_version_13) res->set(http::field::sec_websocket_version, "13");
    res->set(http::field::content_type, "application/json");
    res->keep_alive(false);
    res->body() = body;
    res->prepare_payload();
    writing_ = true;
    stream_.expires_after(std::chrono::seconds(5));
    http::async_write(stream_, *res, [self = shared_from_this(), res](error_code, std::size_t) { self->do_close(); });
}

void HttpSession::on_write(bool keep_alive, error_code ec, std::size_t) {
    writing_ = false;
    if (ec || !keep_alive || stopping_) return do_close();
    do_read();
}

void HttpSession::do_close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
}

}  // namespace chat::server
