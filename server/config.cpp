// config.cpp — parsing of chatd's flags and JSON config file into a Config.
//
// One table of settings serves both sources: a flag `--name VALUE` and a file key "name"
// go through the same setter, so the two can never disagree on meaning or validation.
#include "config.hpp"

#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "client_address.hpp"

namespace chat::server {
namespace {

using json = nlohmann::json;

long long parse_int(const std::string& text, const std::string& flag, long long lo, long long hi) {
    long long v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || p != text.data() + text.size() || v < lo || v > hi)
        throw UsageError(flag + ": expected a whole number from " + std::to_string(lo) + " to " +
                         std::to_string(hi) + ", got '" + text + "'");
    return v;
}

std::string as_text(const json& v, const std::string& key) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    if (v.is_number()) {
        std::ostringstream os;
        os << v.get<double>();
        return os.str();
    }
    throw UsageError("config key '" + key + "': expected a string or a number");
}

// Setters for every single-valued setting; repeatable ones append.
using Setter = std::function<void(Config&, const std::string&)>;

const std::map<std::string, Setter>& setters() {
    static const std::map<std::string, Setter> table = {
        {"listen", [](Config& c, const std::string& v) { c.listen = parse_endpoint(v, "--listen"); }},
        {"data", [](Config& c, const std::string& v) { c.data = v; }},
        {"node",
         [](Config& c, const std::string& v) {
             if (v.empty() || v.size() > 64 ||
                 v.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") !=
                     std::string::npos)
                 throw UsageError("--node: use 1 to 64 letters, digits, '.', '_' or '-', got '" + v + "'");
             c.node = v;
         }},
        {"redis",
         [](Config& c, const std::string& v) {
             cli::check_redis_url(v, "--redis");
             c.redis = v;
         }},
        {"web-root", [](Config& c, const std::string& v) { c.web_root = v; }},
        {"faq", [](Config& c, const std::string& v) { c.faq = v; }},
        {"tls-cert", [](Config& c, const std::string& v) { c.tls_cert = v; }},
        {"tls-key", [](Config& c, const std::string& v) { c.tls_key = v; }},
        {"allowed-origin", [](Config& c, const std::string& v) { c.allowed_origins.push_back(v); }},
        {"trusted-proxy",
         [](Config& c, const std::string& v) {
             if (!parse_cidr(v)) throw UsageError("--trusted-proxy: expected an address or CIDR such as 10.0.0.0/8, got '" + v + "'");
             c.trusted_proxies.push_back(v);
         }},
        {"retention-days",
         [](Config& c, const std::string& v) { c.retention_days = static_cast<int>(parse_int(v, "--retention-days", 0, 36500)); }},
        {"threads", [](Config& c, const std::string& v) { c.threads = static_cast<int>(parse_int(v, "--threads", 0, 256)); }},
        {"relaxed-sync-ms",
         [](Config& c, const std::string& v) { c.relaxed_sync_ms = static_cast<int>(parse_int(v, "--relaxed-sync-ms", 0, 60000)); }},
        {"commit-window-us",
         [](Config& c, const std::string& v) { c.commit_window_us = static_cast<int>(parse_int(v, "--commit-window-us", 0, 1000000)); }},
    };
    return table;
}

void apply(Config& cfg, const std::string& key, const std::string& value) {
    auto it = setters().find(key);
    if (it == setters().end()) throw UsageError("--" + key + ": unknown flag (see --help)");
    it->second(cfg, value);
}

void apply_limits(Limits& l, const json& obj) {
    if (!obj.is_object()) throw UsageError("config key 'limits': expected an object");
    for (auto& [k, v] : obj.items()) {
        auto num = [&](double lo, double hi) {
            if (!v.is_number() || v.get<double>() < lo || v.get<double>() > hi)
                throw UsageError("config limits." + k + ": expected a number from " + std::to_string(lo) + " to " +
                                 std::to_string(hi));
            return v.get<double>();
        };
        if (k == "frame_bytes") l.frame_bytes = static_cast<std::size_t>(num(256, 64 << 20));
        else if (k == "text_chars") l.text_chars = static_cast<std::size_t>(num(1, 1 << 20));
        else if (k == "msgs_per_s") l.msgs_per_s = num(0.01, 1e9);
        else if (k == "burst") l.burst = num(1, 1e9);
        else if (k == "header_timeout_s") l.header_timeout_s = static_cast<int>(num(1, 3600));
        else if (k == "conns_per_address") l.conns_per_address = static_cast<std::size_t>(num(0, 1e9));
        else if (k == "max_connections") l.max_connections = static_cast<std::size_t>(num(1, 1e9));
        else if (k == "outgoing_queue_frames") l.outgoing_queue_frames = static_cast<std::size_t>(num(1, 1e6));
        else if (k == "history_frames") l.history_frames = static_cast<std::size_t>(num(0, 1e9));
        else if (k == "login_burst") l.login_burst = num(1, 1e6);
        else if (k == "login_per_min") l.login_per_min = num(0.01, 1e6);
        else throw UsageError("config limits." + k + ": unknown limit");
    }
}

void apply_timeouts(Timeouts& t, const json& obj) {
    if (!obj.is_object()) throw UsageError("config key 'timeouts': expected an object");
    for (auto& [k, v] : obj.items()) {
        if (!v.is_number() || v.get<double>() < 0 || v.get<double>() > 365.0 * 86400)
            throw UsageError("config timeouts." + k + ": expected a number of seconds");
        const auto ms = static_cast<std::int64_t>(v.get<double>() * 1000);
        if (k == "reopen_window_s") t.reopen_window_ms = ms;
        else if (k == "bot_inactivity_s") t.bot_inactivity_ms = ms;
        else if (k == "agent_inactivity_s") t.agent_inactivity_ms = ms;
        else if (k == "queue_abandon_s") t.queue_abandon_ms = ms;
        else if (k == "agent_grace_s") t.agent_grace_ms = ms;
        else if (k == "history_kept_s") t.history_kept_ms = ms;
        else throw UsageError("config timeouts." + k + ": unknown timeout");
    }
}

int parse_clock(const json& v, const std::string& key) {
    const std::string t = v.is_string() ? v.get<std::string>() : "";
    int h = -1, m = -1;
    if (t.size() == 5 && t[2] == ':' && std::isdigit(static_cast<unsigned char>(t[0])) && std::isdigit(static_cast<unsigned char>(t[1])) &&
        std::isdigit(static_cast<unsigned char>(t[3])) && std::isdigit(static_cast<unsigned char>(t[4]))) {
        h = (t[0] - '0') * 10 + (t[1] - '0');
        m = (t[3] - '0') * 10 + (t[4] - '0');
    }
    if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0))
        throw UsageError("config business_hours." + key + ": expected HH:MM, got " + v.dump());
    return h * 60 + m;
}

void apply_hours(BusinessHours& b, const json& obj) {
    if (!obj.is_object()) throw UsageError("config key 'business_hours': expected an object");
    b.set = true;
    static const char* names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (auto& [k, v] : obj.items()) {
        if (k == "open") b.open_minute = parse_clock(v, k);
        else if (k == "close") b.close_minute = parse_clock(v, k);
        else if (k == "utc_offset_minutes") {
            if (!v.is_number_integer() || v.get<int>() < -14 * 60 || v.get<int>() > 14 * 60)
                throw UsageError("config business_hours.utc_offset_minutes: expected minutes from -840 to 840");
            b.utc_offset_minutes = v.get<int>();
        } else if (k == "days") {
            if (!v.is_array()) throw UsageError("config business_hours.days: expected a list such as [\"mon\",\"tue\"]");
            b.days = 0;
            for (auto& d : v) {
                int i = 0;
                while (i < 7 && !(d.is_string() && d.get<std::string>() == names[i])) ++i;
                if (i == 7) throw UsageError("config business_hours.days: unknown day " + d.dump() + " (mon … sun)");
                b.days |= static_cast<std::uint8_t>(1u << i);
            }
        } else if (k == "text_fr" && v.is_string()) b.text_fr = v.get<std::string>();
        else if (k == "text_en" && v.is_string()) b.text_en = v.get<std::string>();
        else throw UsageError("config business_hours." + k + ": unknown key");
    }
    if (b.open_minute >= b.close_minute) throw UsageError("config business_hours: open must be before close");
}

}  // namespace

Endpoint parse_endpoint(const std::string& text, const std::string& flag) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) throw UsageError(flag + ": expected ADDR:PORT, got '" + text + "'");
    Endpoint ep;
    std::string addr = text.substr(0, colon);
    if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') addr = addr.substr(1, addr.size() - 2);
    ep.address = addr.empty() ? "0.0.0.0" : addr;
    ep.port = static_cast<std::uint16_t>(parse_int(text.substr(colon + 1), flag, 0, 65535));
    return ep;
}

void apply_config_file(Config& cfg, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw UsageError("--config: cannot read '" + file.string() + "'");
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::parse_error& e) {
        throw UsageError("--config: '" + file.string() + "' is not valid JSON: " + e.what());
    }
    if (!doc.is_object()) throw UsageError("--config: '" + file.string() + "' must hold a JSON object");
    for (auto& [key, value] : doc.items()) {
        if (key == "limits") {
            apply_limits(cfg.limits, value);
        } else if (key == "timeouts") {
            apply_timeouts(cfg.timeouts, value);
        } else if (key == "business_hours") {
            apply_hours(cfg.hours, value);
        } else if (key == "config") {
            throw UsageError("config key 'config': a config file cannot include another");
        } else if (value.is_array()) {
            for (auto& item : value) apply(cfg, key, as_text(item, key));
        } else {
            apply(cfg, key, as_text(value, key));
        }
    }
}

Config parse_server_args(const std::vector<std::string>& args, bool& help) {
    help = false;
    std::vector<std::pair<std::string, std::string>> flags;
    std::filesystem::path config_file;
    for (const auto& a : args)
        if (a == "--help" || a == "-h") {
            help = true;
            return {};
        }
    const cli::Args split = cli::split_args(args);
    if (!split.positionals.empty()) throw UsageError(split.positionals.front() + ": unexpected argument (see --help)");
    for (const auto& f : split.flags) {
        if (f.key == "config") {
            config_file = f.value;
            continue;
        }
        if (!setters().count(f.key)) throw UsageError(f.given + ": unknown flag (see --help)");
        flags.emplace_back(f.key, f.value);
    }
    Config cfg;
    if (!config_file.empty()) {
        apply_config_file(cfg, config_file);
        cfg.config_file = config_file;
    }
    // Flags win over the file; a repeatable flag given on the command line replaces the
    // file's list rather than adding to it.
    bool origins_reset = false, proxies_reset = false;
    for (auto& [key, value] : flags) {
        if (key == "allowed-origin" && !origins_reset) cfg.allowed_origins.clear(), origins_reset = true;
        if (key == "trusted-proxy" && !proxies_reset) cfg.trusted_proxies.clear(), proxies_reset = true;
        apply(cfg, key, value);
    }
    if (cfg.tls_cert.empty() != cfg.tls_key.empty())
        throw UsageError(cfg.tls_cert.empty() ? "--tls-cert: required with --tls-key" : "--tls-key: required with --tls-cert");
    return cfg;
}

void resolve_default_dirs(Config& cfg, const std::filesystem::path& exe) {
    namespace fs = std::filesystem;
    auto pick = [&](const char* name) -> fs::path {
        if (fs::is_directory(name)) return fs::absolute(name);
        std::error_code ec;
        fs::path bin = fs::canonical(exe, ec).parent_path();
        for (fs::path p = bin; !ec && !p.empty() && p != p.root_path(); p = p.parent_path())
            if (fs::is_directory(p / name) && fs::exists(p / "CMakeLists.txt")) return p / name;
        return fs::absolute(name);
    };
    if (cfg.web_root.empty()) cfg.web_root = pick("web-widget");
    if (cfg.faq.empty()) cfg.faq = pick("faq");
}

std::string server_usage() {
    return R"(usage: chatd [--listen ADDR:PORT] [--data DIR] [--config FILE] [--node ID] [--redis URL]
             [--web-root DIR] [--faq DIR] [--tls-cert FILE --tls-key FILE]
             [--allowed-origin ORIGIN]... [--trusted-proxy CIDR]... [--threads N]

The live-chat server: shoppers' widgets and agents' consoles over WebSocket, the FAQ bot,
the event log and the KPIs.

  --listen ADDR:PORT     address and port for HTTP and WebSocket (default 127.0.0.1:8080;
                         port 0 picks a free port, printed at start)
  --data DIR             event log segments, accounts and state of this node (default ./data)
  --config FILE          JSON file whose keys are these flags' names; flags win over it;
                         its "limits" object sets frame_bytes, text_chars, msgs_per_s, burst,
                         header_timeout_s, conns_per_address, max_connections,
                         login_burst, login_per_min, outgoing_queue_frames,
                         history_frames; its
                         "timeouts" object (seconds) reopen_window_s, bot_inactivity_s,
                         agent_inactivity_s, queue_abandon_s, agent_grace_s,
                         history_kept_s; its
                         "business_hours" object: days ["mon",…], open "09:00", close
                         "18:00", utc_offset_minutes, text_fr, text_en
  --node ID              this node's id in every event (default: generated once, kept in DIR)
  --redis URL            redis://[:PASSWORD@]HOST:PORT[/DB] to run several nodes as one
  --web-root DIR         static files (default web-widget/ of the repository)
  --faq DIR              knowledge base (default faq/ of the repository)
  --tls-cert FILE        PEM certificate; with --tls-key, only TLS 1.2+ is spoken
  --tls-key FILE         PEM private key
  --allowed-origin ORIGIN  origin allowed to open /ws/visitor (repeatable; none: any)
  --trusted-proxy CIDR   proxy whose X-Forwarded-For is believed (repeatable)
  --threads N            network threads (default: one per core)
  --retention-days N     erase texts older than N days, at start and daily (default 0: keep)
  --relaxed-sync-ms N    fsync the log every N ms instead of before each acknowledgement
                         (faster; a machine crash may lose the last N ms). Default 0: off
  --commit-window-us N   at most one fsync of the log per N microseconds: a message that
                         arrives just after a sync waits for the next (default 2000; 0: none)
  --help                 this text

Subcommands (same --data and --config):
  chatd user add NAME --role agent|manager [--langs fr,en] [--capacity N]   (password on stdin)
  chatd user list [--json]
  chatd user remove NAME
  chatd visitor export ID      (everything held about the visitor, JSON on stdout)
  chatd visitor erase ID       (their texts blanked in every segment; see docs/privacy.md)

Signals: SIGHUP reloads the knowledge base; SIGINT/SIGTERM stop cleanly (pending log writes flushed, exit 0).
)";
}

}  // namespace chat::server
