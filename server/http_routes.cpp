// http_routes.cpp — /healthz and the static files (widget, console, dashboard, demo shop).
#include "http_routes.hpp"

#include <nlohmann/json.hpp>

#include "static_files.hpp"

namespace chat::server {
namespace {

using Request = http::request<http::string_body>;

http::message_generator json_response(const Request& req, http::status status, const nlohmann::json& body) {
    http::response<http::string_body> res{status, req.version()};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.set("X-Content-Type-Options", "nosniff") ;
    res.keep_alive(req.keep_alive());
    res.body() = body.dump();
    res.prepare_payload();
    return res;
}

http::message_generator error_response(const Request& req, http::status status, std::string_view code,
                                       std::string_view message) {
    return json_response(req, status, {{"error", code}, {"message", message}});
}

http::message_generator serve_static(SharedState& state, Request&& req) {
    std::filesystem::path file;
    switch (resolve_static(state.web_root(), req.target(), file)) {
    case StaticResult::bad_path:
        return error_response(req, http::status::bad_request, "bad_request", "illegal path");
    case StaticResult::not_found:
        return error_response(req, http::status::not_found, "not_found", "no such file");
    case StaticResult::ok:
        break;
    }
    http::file_body::value_type body;
    beast::error_code ec;
    body.open(file.c_str(), beast::file_mode::scan, ec);
    if (ec) return error_response(req, http::status::not_found, "not_found", "no such file");
    const auto size = body.size();
    http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                        std::make_tuple(http::status::ok, req.version())};
    res.set(http::field::content_type, mime_type(file));
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::cache_control, "no-cache");
    res.content_length(size);
    res.keep_alive(req.keep_alive());
    if (req.method() == http::verb::head) {
        http::response<http::empty_body> head{http::status::ok, req.version()};
        head.base() = res.base();
        return head;
    }
    return res;
}

}  // namespace

http::message_generator handle_request(SharedState& state, Request&& req) {
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));

    if (path == "/healthz") {
        if (req.method() != http::verb::get && req.method() != http::verb::head)
            return error_response(req, http::status::method_not_allowed, "bad_request", "use GET");
        const bool ok = !state.stopping();
        return json_response(req, ok ? http::status::ok : http::status::service_unavailable,
                             {{"status", ok ? "ok" : "stopping"},
                              {"node", state.node()},
                              {"connections", state.connections()}});
    }
    if (path.rfind("/ws/", 0) == 0)
        return error_response(req, http::status::bad_request, "bad_request", "WebSocket upgrade expected");
    if (path.rfind("/api/", 0) == 0)
        return error_response(req, http::status::not_found, "not_found", "no such endpoint");
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return error_response(req, http::status::method_not_allowed, "bad_request", "use GET");
    return serve_static(state, std::move(req));
}

}  // namespace chat::server
