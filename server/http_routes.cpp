// http_routes.cpp — /healthz, /metrics, /api/*, the static files and /vendor/ (npm libraries);
// static text files go out gzipped when the client takes it, with an ETag for revalidation.
//
// API (JSON; the session cookie or "Authorization: Bearer TOKEN" identifies the caller):
//   POST /api/login {user,password}      sets the HttpOnly, SameSite=Strict session cookie
//   POST /api/logout                     ends the session
//   GET  /api/me                         who am I
//   GET  /api/kpi?from&to&fcr_window&sla the KPI report (managers)
//   GET  /api/conversations              managers: every open conversation; agents: theirs + queue
//   GET  /api/conversations/ID           one conversation with its history (its agent, managers)
//   GET  /api/agents                     agents, presence and load (for transfers)
//   GET|PUT /api/canned                  the shared canned responses
#include "http_routes.hpp"

#include <chrono>
#include <iostream>

#include <nlohmann/json.hpp>

#include "auth_service.hpp"
#include "canned.hpp"
#include "clock.hpp"
#include "core.hpp"
#include "engine.hpp"
#include "event_log.hpp"
#include "replay.hpp"
#include "metrics.hpp"
#include "origin_policy.hpp"
#include "redis_client.hpp"
#include "router.hpp"
#include "security_state.hpp"
#include "request_parts.hpp"
#include "static_files.hpp"
#include "static_gzip.hpp"
#include "time_text.hpp"

namespace chat::server {
namespace {

using json = nlohmann::json;
using Request = http::request<http::string_body>;

void security_headers(http::fields& f) {
    f.set("X-Content-Type-Options", "nosniff");
    f.set("Referrer-Policy", "same-origin");
}

http::response<http::string_body> json_response(unsigned version, bool keep_alive, http::status status, const json& body) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    security_headers(res.base());
    res.keep_alive(keep_alive);
    res.body() = body.dump(-1, ' ', false, json::error_handler_t::replace);
    res.prepare_payload();
    return res;
}

http::response<http::string_body> error_response(const Request& req, http::status status, std::string_view code,
                                                 std::string_view message) {
    return json_response(req.version(), req.keep_alive(), status, {{"error", code}, {"message", message}});
}

std::string session_token(const Request& req) {
    if (auto auth = req.find(http::field::authorization); auth != req.end()) {
        std::string_view v = auth->value();
        if (v.rfind("Bearer ", 0) == 0) return std::string(v.substr(7));
    }
    if (auto cookie = req.find(http::field::cookie); cookie != req.end()) return cookie_value(cookie->value(), AuthService::kCookie);
    return {};
}

GzipCache& gzip_cache() {
    static GzipCache cache;  // files under the web root, shared by every network thread
    return cache;
}

http::message_generator serve_static(SharedState& state, Request&& req) {
    std::filesystem::path file;
    const bool vendor = req.target().rfind("/vendor/", 0) == 0;
    switch (vendor ? resolve_vendor(state.web_root(), req.target(), file) : resolve_static(state.web_root(), req.target(), file)) {
    case StaticResult::bad_path: return error_response(req, http::status::bad_request, "bad_request", "illegal path");
    case StaticResult::not_found: return error_response(req, http::status::not_found, "not_found", "no such file");
    case StaticResult::ok: break;
    }
    const std::string_view mime = mime_type(file);
    const std::string etag = etag_of(file);
    // Text files go out gzipped to clients that take it, compressed once per version.
    const bool text = compressible(mime);
    std::shared_ptr<const std::string> gz;
    if (auto ae = req.find(http::field::accept_encoding); text && !etag.empty() && ae != req.end() && accepts_gzip(ae->value()))
        gz = gzip_cache().get(file, etag);
    const std::string tag = gz ? etag.substr(0, etag.size() - 1) + "-gz\"" : etag;

    const std::string_view target = req.target();
    auto headers = [&](http::fields& f) {
        // Libraries from npm change only with package-lock.json: let browsers keep them a day.
        f.set(http::field::cache_control, vendor ? "public, max-age=86400" : "no-cache");
        if (!tag.empty()) f.set(http::field::etag, tag);
        if (text) f.set(http::field::vary, "Accept-Encoding");
        security_headers(f);
        // The console and the dashboard hold personal data: nothing but their own code runs there.
        if (target.rfind("/console", 0) == 0 || target.rfind("/dashboard", 0) == 0) {
            f.set("Content-Security-Policy",
                  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
            f.set("X-Frame-Options", "DENY");
        }
    };
    // Revalidation: the browser keeps its copy while the file has not changed (304).
    if (auto inm = req.find(http::field::if_none_match); inm != req.end() && etag_matches(inm->value(), tag)) {
        http::response<http::empty_body> nm{http::status::not_modified, req.version()};
        headers(nm.base());
        nm.keep_alive(req.keep_alive());
        return nm;
    }
    if (gz) {
        http::response<http::string_body> res{http::status::ok, req.version()};
        res.set(http::field::content_type, mime);
        res.set(http::field::content_encoding, "gzip");
        headers(res.base());
        res.keep_alive(req.keep_alive());
        if (req.method() == http::verb::head) {
            http::response<http::empty_body> head{http::status::ok, req.version()};
            head.base() = res.base();
            head.content_length(gz->size());
            return head;
        }
        res.body() = *gz;
        res.prepare_payload();
        return res;
    }
    http::file_body::value_type body;
    beast::error_code ec;
    body.open(file.c_str(), beast::file_mode::scan, ec);
    if (ec) return error_response(req, http::status::not_found, "not_found", "no such file");
    const auto size = body.size();
    http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                        std::make_tuple(http::status::ok, req.version())};
    res.set(http::field::content_type, mime);
    headers(res.base());
    res.content_length(size);
    res.keep_alive(req.keep_alive());
    if (req.method() == http::verb::head) {
        http::response<http::empty_body> head{http::status::ok, req.version()};
        head.base() = res.base();
        return head;
    }
    return res;
}

// A question's answer as the response: an {"error", "status"} answer with its status,
// anything else with `status`.
void reply_answer(const Reply& reply, unsigned version, bool keep_alive, http::status status, json answer) {
    if (answer.is_object() && answer.contains("error") && answer.contains("status")) {
        const auto st = static_cast<http::status>(answer["status"].get<int>());
        answer.erase("status");
        return reply(json_response(version, keep_alive, st, answer));
    }
    reply(json_response(version, keep_alive, status, answer));
}

// What replies to `req` with a question's answer (reply_answer), from whichever thread.
std::function<void(json)> answering(const Request& req, Reply reply, http::status status = http::status::ok) {
    return [reply = std::move(reply), version = req.version(), keep_alive = req.keep_alive(), status](json answer) {
        reply_answer(reply, version, keep_alive, status, std::move(answer));
    };
}

// Runs a question on the core strand and replies with its JSON answer.
void ask_core(SharedState& state, const Request& req, std::function<json(Core&)> question, Reply reply,
              http::status status = http::status::ok) {
    state.core().ask(std::move(question), answering(req, std::move(reply), status));
}

json conversation_with_history(const router::Router& r, const router::Conversation& c) {
    json j = r.conversation_summary(c);
    json history = json::array();
    std::vector<router::HistoryFrame> scratch;
    for (const auto& h : r.history_of(c, scratch)) history.push_back(json::parse(h.frame));
    j["history"] = std::move(history);
    return j;
}

// A conversation's history left to the log: where its lines are, and what rebuilding it takes.
struct LogHistory {
    router::HistoryRequest request;
    std::vector<eventlog::Placement> at;
};

// Reads and rebuilds it, off the core thread (the blocking pool).
json read_history(SharedState& state, const LogHistory& h) {
    std::string error;
    const auto lines = eventlog::read_lines_at(state.config().data, state.node(), h.at, &error);
    if (!error.empty()) std::cerr << "chatd: reading " << h.request.conv << "'s history from the log: " << error << std::endl;
    json history = json::array();
    for (const auto& f : router::Router::history_from_lines(h.request, lines)) history.push_back(json::parse(f.frame));
    return history;
}

void api(SharedState& state, Request&& req, const std::string& peer, std::string_view path, Reply reply) {
    AuthService& auth = state.auth();
    const auto method = req.method();
    // Another site's page must not use an agent's session (CSRF): the API answers only chatd's own pages.
    if (!same_origin(req[http::field::origin], req[http::field::host]))
        return reply(error_response(req, http::status::forbidden, "forbidden", "origin not allowed"));

    if (path == "/api/login") {
        if (method != http::verb::post) return reply(error_response(req, http::status::method_not_allowed, "bad_request", "use POST"));
        json body = json::parse(req.body(), nullptr, false);
        if (!body.is_object() || !body.contains("user") || !body.contains("password") || !body["user"].is_string() ||
            !body["password"].is_string())
            return reply(error_response(req, http::status::bad_request, "bad_request", "expected {\"user\":…,\"password\":…}"));
        const std::string user = body["user"], password = body["password"];
        const unsigned version = req.version();
        const bool keep_alive = req.keep_alive();
        if (const int wait_s = state.security().login.attempt(user, peer, now_ms())) {
            auto res = error_response(req, http::status::too_many_requests, "rate_limited", "too many login attempts: try again later");
            res.set(http::field::retry_after, std::to_string(wait_s));
            return reply(std::move(res));
        }
        // The password check is slow on purpose: keep it off the network threads.
        net::post(state.blocking(), [&state, user, password, peer, version, keep_alive, reply = std::move(reply)] {
            Principal who;
            auto token = state.auth().login(user, password, now_ms(), who);
            if (!token) {
                state.core().audit({{"actor", user}, {"action", "login.failed"}, {"addr", peer}});
                return reply(json_response(version, keep_alive, http::status::unauthorized,
                                           {{"error", "unauthorized"}, {"message", "wrong user name or password"}}));
            }
            state.security().login.succeeded(user);
            state.core().audit({{"actor", who.name}, {"action", "login"}, {"addr", peer}});
            auto res = json_response(version, keep_alive, http::status::ok,
                                     {{"user", who.name}, {"role", who.manager ? "manager" : "agent"}, {"langs", who.langs},
                                      {"capacity", who.capacity}, {"expires_ms", who.expires_ms}, {"token", *token}});
            const auto max_age = std::max<std::int64_t>(0, (who.expires_ms - now_ms()) / 1000);
            res.set(http::field::set_cookie, std::string(AuthService::kCookie) + "=" + *token +
                                                 "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age) +
                                                 (state.config().tls_cert.empty() ? "" : "; Secure"));
            reply(std::move(res));
        });
        return;
    }

    const std::string token = session_token(req);
    auto who = token.empty() ? std::nullopt : auth.check(token, now_ms());
    if (!who) return reply(error_response(req, http::status::unauthorized, "unauthorized", "log in first"));

    if (path == "/api/logout") {
        if (method != http::verb::post) return reply(error_response(req, http::status::method_not_allowed, "bad_request", "use POST"));
        auth.logout(token, now_ms());
        state.core().audit({{"actor", who->name}, {"action", "logout"}, {"addr", peer}});
        auto res = json_response(req.version(), req.keep_alive(), http::status::ok, {{"ok", true}});
        res.set(http::field::set_cookie, std::string(AuthService::kCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
        return reply(std::move(res));
    }
    if (path == "/api/me") {
        return reply(json_response(req.version(), req.keep_alive(), http::status::ok,
                                   {{"user", who->name}, {"role", who->manager ? "manager" : "agent"}, {"langs", who->langs},
                                    {"capacity", who->capacity}, {"expires_ms", who->expires_ms}}));
    }
    if (path == "/api/canned") {
        if (method == http::verb::get) return reply(json_response(req.version(), req.keep_alive(), http::status::ok, state.canned().list()));
        if (method != http::verb::put) return reply(error_response(req, http::status::method_not_allowed, "bad_request", "use GET or PUT"));
        json items = json::parse(req.body(), nullptr, false);
        if (items.is_discarded()) return reply(error_response(req, http::status::bad_request, "bad_json", "body is not valid JSON"));
        if (auto err = state.canned().replace(items); !err.empty())
            return reply(error_response(req, http::status::bad_request, "bad_request", err));
        return reply(json_response(req.version(), req.keep_alive(), http::status::ok, state.canned().list()));
    }
    if (method != http::verb::get) return reply(error_response(req, http::status::method_not_allowed, "bad_request", "use GET"));

    if (path == "/api/kpi") {
        if (!who->manager) return reply(error_response(req, http::status::forbidden, "forbidden", "managers only"));
        kpi::ReportOptions opts;
        const std::string target(req.target());
        if (auto from = query_param(target, "from"); !from.empty()) {
            auto d = kpi::parse_date(from);
            if (!d) return reply(error_response(req, http::status::bad_request, "bad_request", "from: expected YYYY-MM-DD or an ISO-8601 time"));
            opts.from_ms = d->ms;
        }
        if (auto to = query_param(target, "to"); !to.empty()) {
            auto d = kpi::parse_date(to);
            if (!d) return reply(error_response(req, http::status::bad_request, "bad_request", "to: expected YYYY-MM-DD or an ISO-8601 time"));
            opts.to_ms = d->date_only ? d->ms + 86'400'000 : d->ms + 1;  // inclusive, as chat-kpi --to
        }
        if (auto w = query_param(target, "fcr_window"); !w.empty()) {
            auto d = kpi::parse_duration_ms(w);
            if (!d) return reply(error_response(req, http::status::bad_request, "bad_request", "fcr_window: expected a duration such as 7d"));
            opts.fcr_window_ms = *d;
        }
        if (auto s = query_param(target, "sla"); !s.empty()) {
            auto d = kpi::parse_duration_ms(s);
            if (!d) return reply(error_response(req, http::status::bad_request, "bad_request", "sla: expected a duration such as 60s"));
            opts.sla_target_ms = *d;
        }
        // Built on the live KPIs' thread: however long it takes, no shopper waits for it.
        return state.core().ask_kpi([opts](kpi::Engine& engine) { return kpi::to_json(engine.report(opts)); },
                                    answering(req, std::move(reply)));
    }
    if (path == "/api/agents") {
        return ask_core(state, req, [](Core& core) {
            json list = json::array();
            for (const auto& [id, a] : core.router().state().agents)
                list.push_back({{"agent", id}, {"status", a.status}, {"connected", a.sessions > 0}, {"load", a.convs.size()},
                                {"capacity", a.capacity}, {"langs", a.langs}});
            return list;
        }, std::move(reply));
    }
    if (path == "/api/conversations") {
        const Principal p = *who;
        return ask_core(state, req, [p](Core& core) {
            const auto& r = core.router();
            json list = json::array();
            for (const auto& id : r.state().open) {
                const auto& c = r.state().conversations.at(id);
                if (p.manager || c.agent == p.name || c.stage == router::Stage::queued) list.push_back(r.conversation_summary(c));
            }
            return list;
        }, std::move(reply));
    }
    if (path.rfind("/api/conversations/", 0) == 0) {
        const std::string id(path.substr(std::string_view("/api/conversations/").size()));
        const Principal p = *who;
        // A history left to the log is read and rebuilt on the blocking pool: the core thread,
        // which every shopper's message waits for, never waits for the disk on a manager's behalf.
        auto from_log = std::make_shared<std::optional<LogHistory>>();
        const unsigned version = req.version();
        const bool keep_alive = req.keep_alive();
        return state.core().ask(
            [p, id, from_log](Core& core) -> json {
                const auto& r = core.router();
                auto it = r.state().conversations.find(id);
                if (it == r.state().conversations.end()) return {{"error", "not_found"}, {"message", "no such conversation"}, {"status", 404}};
                if (!p.manager && it->second.agent != p.name)
                    return {{"error", "forbidden"}, {"message", "not your conversation"}, {"status", 403}};
                if (auto request = r.history_request(it->second)) {
                    *from_log = LogHistory{*request, core.placements(request->places)};
                    return r.conversation_summary(it->second);
                }
                return conversation_with_history(r, it->second);
            },
            [&state, from_log, reply = std::move(reply), version, keep_alive](json answer) mutable {
                // An error, or a history in memory: answered at once.
                if (!*from_log) return reply_answer(reply, version, keep_alive, http::status::ok, std::move(answer));
                net::post(state.blocking(), [&state, from_log, answer = std::move(answer), reply = std::move(reply), version,
                                             keep_alive]() mutable {
                    answer["history"] = read_history(state, **from_log);
                    reply(json_response(version, keep_alive, http::status::ok, answer));
                });
            });
    }
    reply(error_response(req, http::status::not_found, "not_found", "no such endpoint"));
}

}  // namespace

void handle_request(SharedState& state, Request&& req, const std::string& peer, Reply reply) {
    std::string_view target = req.target();
    std::string_view path = target.substr(0, target.find('?'));

    if (path == "/healthz") {
        const bool stopping = state.stopping();
        const bool log_ok = state.core().log_healthy();
        const bool ok = !stopping && log_ok;
        json body{{"status", ok ? "ok" : (stopping ? "stopping" : "degraded")},
                  {"node", state.node()},
                  {"log", log_ok ? "ok" : "failing"},
                  {"connections", state.connections()}};
        // With --redis: the link's state; the node serves what it holds whatever it is.
        if (auto* redis = state.redis()) body["redis"] = cluster::link_state_name(redis->state());
        return reply(json_response(req.version(), req.keep_alive(), ok ? http::status::ok : http::status::service_unavailable,
                                   std::move(body)));
    }
    if (path == "/metrics") {
        const unsigned version = req.version();
        const bool keep_alive = req.keep_alive();
        Metrics& metrics = state.metrics();
        state.core().ask(
            [](Core& core) {
                const auto& r = core.router();
                json g;
                for (const auto stage : {router::Stage::bot, router::Stage::queued, router::Stage::assigned})
                    g[std::string("chat_conversations{state=\"") + router::stage_name(stage) + "\"}"] = r.open_in(stage);
                g["chat_queue_length"] = r.queue_length();
                // Where conversations' histories are: memory, or the log (closed a while ago).
                g["chat_histories{where=\"log\"}"] = r.state().histories_in_log;
                g["chat_histories{where=\"memory\"}"] = r.state().conversations.size() - r.state().histories_in_log;
                if (auto bytes = allocated_bytes()) g["chat_memory_allocated_bytes"] = *bytes;
                std::size_t online = 0;
                for (const auto& [id, a] : r.state().agents) online += a.status == "online" && a.sessions > 0;
                g["chat_agents_online"] = online;
                return g;
            },
            [reply = std::move(reply), version, keep_alive, &metrics, redis = state.redis()](json g) {
                std::map<std::string, double> gauges;
                for (auto& [k, v] : g.items()) gauges[k] = v.get<double>();
                if (redis) {
                    const auto s = redis->stats();
                    gauges["chat_redis_up"] = s.state == cluster::LinkState::up;
                    gauges["chat_redis_connects"] = static_cast<double>(s.connects);
                    gauges["chat_redis_failed_attempts"] = static_cast<double>(s.failed_attempts);
                }
                http::response<http::string_body> res{http::status::ok, version};
                res.set(http::field::content_type, "text/plain; version=0.0.4");
                res.set(http::field::cache_control, "no-store");
                res.keep_alive(keep_alive);
                res.body() = metrics.render(gauges);
                res.prepare_payload();
                reply(std::move(res));
            });
        return;
    }
    if (path.rfind("/ws/", 0) == 0)
        return reply(error_response(req, http::status::bad_request, "bad_request", "WebSocket upgrade expected"));
    if (path.rfind("/api/", 0) == 0) return api(state, std::move(req), peer, path, std::move(reply));
    if (req.method() != http::verb::get && req.method() != http::verb::head)
        return reply(error_response(req, http::status::method_not_allowed, "bad_request", "use GET"));
    reply(serve_static(state, std::move(req)));
}

}  // namespace chat::server
