// report.cpp — /proc readings, the JSON report, merging and the printed summary.
#include "report.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace chat::bench {

using json = nlohmann::json;

std::int64_t rss_kb(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
    return 0;
}

double cpu_seconds(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto close = all.rfind(')');  // the command name may hold spaces
    if (close == std::string::npos) return 0;
    std::istringstream rest(all.substr(close + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stoull(field);
        if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

double own_cpu_seconds() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return s(ru.ru_utime) + s(ru.ru_stime);
}

static double round1(double v) { return static_cast<double>(static_cast<std::int64_t>(v * 10 + 0.5)) / 10; }

static void derive(json& r, std::int64_t base_rss) {
    const double secs = r["window_s"].get<double>();
    const auto conns = r["connections"].get<std::uint64_t>();
    r["msgs_per_s"] = secs > 0 ? round1(r["acked"].get<double>() / secs) : 0.0;
    r["sent_per_s"] = secs > 0 ? round1(r["sent"].get<double>() / secs) : 0.0;
    for (const char* k : {"ack", "bot_reply", "agent_delivery"})
        r["latency_ms"][k] = Histogram::from_raw(r["hist"][k]).summary();
    const auto rss = r["server_rss_kb"].get<std::int64_t>();
    if (rss > 0 && conns > 0) {
        r["server_rss_per_connection_kb"] = round1(static_cast<double>(rss) / static_cast<double>(conns));
        if (base_rss > 0) {
            r["server_base_rss_kb"] = base_rss;
            r["server_rss_added_per_connection_kb"] = round1(static_cast<double>(rss - base_rss) / static_cast<double>(conns));
        }
    }
    if (secs > 0) {
        r["server_cpu_percent"] = round1(100 * r["server_cpu_s"].get<double>() / secs);
        r["bench_cpu_percent"] = round1(100 * r["bench_cpu_s"].get<double>() / secs);
    }
}

json make_report(const Run& run, const Window& w) {
    const Counters& c = run.c;
    json r{{"label", run.opt.label}, {"processes", 1}, {"visitors", run.opt.visitors}, {"agents", run.opt.agents},
           {"idle", run.opt.idle}, {"rate_target", run.opt.idle ? 0.0 : run.opt.rate}, {"window_s", w.seconds},
           {"connections", c.connections}, {"connect_failures", c.connect_failures}, {"disconnects", c.disconnects},
           {"resumes", c.resumes}, {"sent", c.sent}, {"acked", c.acked}, {"bot_replies", c.bot_replies},
           {"agent_messages", c.agent_messages}, {"handoffs", c.handoffs}, {"resolved", c.conversations_resolved},
           {"csat", c.csat}, {"errors", c.errors}, {"error_codes", c.error_codes}, {"duplicates", c.duplicates},
           {"gaps", c.gaps}, {"unacked", c.unacked}, {"stalled", c.stalled}, {"server_rss_kb", w.server_rss_kb},
           {"server_cpu_s", w.server_cpu_s}, {"bench_cpu_s", w.own_cpu_s}};
    r["hist"] = {{"ack", c.ack.raw()}, {"bot_reply", c.bot_reply.raw()}, {"agent_delivery", c.agent_delivery.raw()}};
    derive(r, 0);
    return r;
}

json merge_reports(const std::vector<std::string>& files, std::int64_t base_rss) {
    json out;
    for (const auto& f : files) {
        std::ifstream in(f);
        if (!in) throw std::runtime_error("cannot read " + f);
        json r = json::parse(in);
        if (out.is_null()) {
            out = r;
            continue;
        }
        for (const char* k : {"processes", "visitors", "agents", "connections", "connect_failures", "disconnects", "resumes",
                              "sent", "acked", "bot_replies", "agent_messages", "handoffs", "resolved", "csat", "errors",
                              "duplicates", "gaps", "unacked", "stalled"})
            out[k] = out[k].get<std::uint64_t>() + r[k].get<std::uint64_t>();
        out["rate_target"] = out["rate_target"].get<double>() + r["rate_target"].get<double>();
        out["bench_cpu_s"] = out["bench_cpu_s"].get<double>() + r["bench_cpu_s"].get<double>();
        out["window_s"] = std::max(out["window_s"].get<double>(), r["window_s"].get<double>());
        for (const char* k : {"server_rss_kb"}) out[k] = std::max(out[k].get<std::int64_t>(), r[k].get<std::int64_t>());
        out["server_cpu_s"] = std::max(out["server_cpu_s"].get<double>(), r["server_cpu_s"].get<double>());
        for (auto& [code, n] : r["error_codes"].items())
            out["error_codes"][code] = out["error_codes"].value(code, std::uint64_t{0}) + n.get<std::uint64_t>();
        for (const char* k : {"ack", "bot_reply", "agent_delivery"}) {
            Histogram h = Histogram::from_raw(out["hist"][k]);
            h.merge(Histogram::from_raw(r["hist"][k]));
            out["hist"][k] = h.raw();
        }
    }
    derive(out, base_rss);
    return out;
}

std::string summary_text(const json& r) {
    std::ostringstream o;
    char line[256];
    o << (r["label"].get<std::string>().empty() ? std::string("chat-bench") : r["label"].get<std::string>()) << " ("
      << r["processes"] << " process(es), " << r["visitors"] << " visitors, " << r["agents"] << " agents)\n";
    std::snprintf(line, sizeof line, "  connections held   %llu  (failed %llu, ended by server %llu, resumed %llu)\n",
                  (unsigned long long)r["connections"].get<std::uint64_t>(), (unsigned long long)r["connect_failures"].get<std::uint64_t>(),
                  (unsigned long long)r["disconnects"].get<std::uint64_t>(), (unsigned long long)r["resumes"].get<std::uint64_t>());
    o << line;
    if (!r["idle"].get<bool>()) {
        std::snprintf(line, sizeof line, "  messages           target %.0f/s, sent %.0f/s, acked %.0f/s over %.1f s\n",
                      r["rate_target"].get<double>(), r["sent_per_s"].get<double>(), r["msgs_per_s"].get<double>(),
                      r["window_s"].get<double>());
        o << line;
        o << "  conversation       bot replies " << r["bot_replies"] << ", handoffs " << r["handoffs"] << ", agent messages "
          << r["agent_messages"] << ", resolved " << r["resolved"] << ", csat " << r["csat"] << "\n";
        for (const char* k : {"ack", "bot_reply", "agent_delivery"}) {
            const json& l = r["latency_ms"][k];
            std::snprintf(line, sizeof line, "  %-18s p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  (%llu)\n", k,
                          l["p50"].get<double>(), l["p90"].get<double>(), l["p99"].get<double>(), l.value("p999", 0.0),
                          l["max"].get<double>(),
                          (unsigned long long)l["count"].get<std::uint64_t>());
            o << line;
        }
    }
    o << "  errors             " << r["errors"] << " " << r["error_codes"].dump() << "; duplicates " << r["duplicates"] << ", gaps "
      << r["gaps"] << ", never acked " << r["unacked"] << ", pacer stalls " << r["stalled"] << "\n";
    if (r["server_rss_kb"].get<std::int64_t>() > 0) {
        o << "  server RSS         " << r["server_rss_kb"] << " KiB";
        if (r.contains("server_rss_per_connection_kb")) o << ", " << r["server_rss_per_connection_kb"] << " KiB per connection";
        if (r.contains("server_rss_added_per_connection_kb"))
            o << " (" << r["server_rss_added_per_connection_kb"] << " KiB above the idle server's " << r["server_base_rss_kb"] << ")";
        o << "\n";
    }
    if (r.contains("server_cpu_percent"))
        o << "  CPU (% of a core)  server " << r["server_cpu_percent"] << ", load generator " << r["bench_cpu_percent"] << "\n";
    return o.str();
}

}  // namespace chat::bench
