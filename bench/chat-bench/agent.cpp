// agent.cpp — the agent's login, its answers, and the delivery latency it measures.
#include "agent.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "frame.hpp"

namespace chat::bench {

using json = nlohmann::json;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::string agent_login(const std::string& host, unsigned short port, const std::string& user, const std::string& password) {
    net::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(10));
    stream.connect(tcp::endpoint(net::ip::make_address(host), port));
    http::request<http::string_body> req{http::verb::post, "/api/login", 11};
    req.set(http::field::host, host + ":" + std::to_string(port));
    req.set(http::field::content_type, "application/json");
    req.body() = json{{"user", user}, {"password", password}}.dump();
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    if (res.result() != http::status::ok)
        throw std::runtime_error("login of " + user + " refused: HTTP " + std::to_string(res.result_int()) + " " + res.body());
    return json::parse(res.body()).at("token").get<std::string>();
}

void Agent::start() { connect({}, "/ws/agent"); }

void Agent::on_open() {
    turns_.clear();
    send(json{{"type", "auth"}, {"token", token_}}.dump());
}

void Agent::say(std::string_view conv, const char* text) {
    send(json{{"type", "message"}, {"conv", conv}, {"text", text}, {"client_id", name_ + "-" + std::to_string(next_client_++)}}.dump());
}

void Agent::on_frame(std::string_view text) {
    Frame f;
    if (!parse_frame(text, f)) return;
    if (f.type == "hello") {
        send(R"({"type":"status","status":"online"})");
        // Conversations held from before a reconnect: finish them.
        json hello = json::parse(text, nullptr, false);
        if (hello.is_object() && hello.contains("conversations"))
            for (auto& c : hello["conversations"])
                if (c.contains("conv")) send(json{{"type", "resolve"}, {"conv", c["conv"]}}.dump());
    } else if (f.type == "assigned" && !f.conv.empty()) {
        turns_.emplace(std::string(f.conv), 0);
        say(f.conv, "Hello, I am looking at your order now.");
    } else if (f.type == "message" && f.author == "visitor") {
        auto it = turns_.find(f.conv);
        if (it == turns_.end()) return;
        if (auto at = f.text.rfind("[t="); at != std::string_view::npos && run_.recording) {
            const std::uint64_t sent = std::strtoull(std::string(f.text.substr(at + 3)).c_str(), nullptr, 10);
            const std::uint64_t now = now_us();
            if (sent && now >= sent) run_.c.agent_delivery.add(now - sent);
        }
        say(f.conv, "Thank you, here is what I found: your parcel leaves the warehouse today.");
        if (++it->second >= 2) send(json{{"type", "resolve"}, {"conv", f.conv}}.dump());
    } else if (f.type == "closed") {
        if (auto it = turns_.find(f.conv); it != turns_.end()) turns_.erase(it);
    } else if (f.type == "error") {
        run_.c.errors++;
        run_.c.error_codes["agent_" + std::string(f.code)]++;
    }
}

void Agent::on_down(bool) {
    if (!run_.opt.reconnect) return;
    if (!retry_) retry_ = std::make_unique<net::steady_timer>(ioc_);
    retry_->expires_after(std::chrono::milliseconds(500));
    retry_->async_wait([self = std::static_pointer_cast<Agent>(shared_from_this())](boost::system::error_code ec) {
        if (!ec) self->start();
    });
}

}  // namespace chat::bench
