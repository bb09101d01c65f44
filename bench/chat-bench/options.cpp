// options.cpp — parsing chat-bench's flags.
#include "options.hpp"

#include <stdexcept>

namespace chat::bench {

std::string usage() {
    return R"(chat-bench --url ws://HOST:PORT [--visitors N] [--rate MSGS_PER_S] [--duration SECONDS]
           [--idle] [--agents M --agent-password-file FILE] [--agent-first K]
           [--source 127.0.0.2-127.0.0.20] [--server-pid PID] [--json FILE]
           [--warmup SECONDS] [--connect-rate N] [--handoff-ratio X] [--questions TSV]
           [--reconnect] [--new-shoppers] [--acked FILE] [--timeline FILE] [--start-at EPOCH_MS] [--label TEXT]
chat-bench --merge FILE... [--server-base-rss-kb KB] [--json FILE]

Simulates shoppers (FAQ questions answered by the bot, handoffs, agent replies, resolution,
CSAT) and agents against chatd, or any server speaking docs/protocol.md's visitor frames.
--rate counts visitor messages per second over all visitors; --idle only holds connections.
--reconnect resumes after the server goes away and resends unacknowledged messages.
--new-shoppers: after rating, a shopper closes the connection and a new one (no token) takes
its place, so every conversation is a new shopper's, as on a sale day.
--timeline FILE writes one line per acknowledged message of the window: when it was sent
(steady clock, us) and its ack latency (us), to see when the slow ones came.
--merge combines the --json reports of several processes into one.
)";
}

std::vector<std::string> parse_sources(const std::string& spec) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= spec.size()) {
        std::size_t comma = spec.find(',', start);
        std::string part = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (auto dash = part.find('-'); dash != std::string::npos) {
            std::string a = part.substr(0, dash), b = part.substr(dash + 1);
            auto pa = a.rfind('.'), pb = b.rfind('.');
            if (pa == std::string::npos || pb == std::string::npos || a.substr(0, pa) != b.substr(0, pb))
                throw std::invalid_argument("--source: a range must stay within one /24, as 127.0.0.2-127.0.0.20");
            int lo = std::stoi(a.substr(pa + 1)), hi = std::stoi(b.substr(pb + 1));
            if (lo > hi || hi > 254) throw std::invalid_argument("--source: bad range '" + part + "'");
            for (int i = lo; i <= hi; ++i) out.push_back(a.substr(0, pa + 1) + std::to_string(i));
        } else if (!part.empty()) {
            out.push_back(part);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (out.empty()) throw std::invalid_argument("--source: no address in '" + spec + "'");
    return out;
}

Options parse_options(const std::vector<std::string>& args, bool& help) {
    Options o;
    help = false;
    bool merging = false;
    auto num = [](const std::string& flag, const std::string& v) {
        try {
            std::size_t used = 0;
            double d = std::stod(v, &used);
            if (used != v.size() || d < 0) throw std::invalid_argument("");
            return d;
        } catch (const std::exception&) {
            throw std::invalid_argument(flag + ": expected a number >= 0, got '" + v + "'");
        }
    };
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw std::invalid_argument(a + ": missing value");
            return args[++i];
        };
        if (a == "--help" || a == "-h") { help = true; return o; }
        else if (a == "--url") {
            const std::string& u = value();
            if (u.rfind("ws://", 0) != 0) throw std::invalid_argument("--url: expected ws://HOST:PORT, got '" + u + "'");
            std::string hp = u.substr(5);
            hp = hp.substr(0, hp.find('/'));
            auto colon = hp.rfind(':');
            if (colon == std::string::npos) throw std::invalid_argument("--url: no port in '" + u + "'");
            o.host = hp.substr(0, colon);
            double p = num("--url", hp.substr(colon + 1));
            if (p < 1 || p > 65535) throw std::invalid_argument("--url: bad port in '" + u + "'");
            o.port = static_cast<unsigned short>(p);
        }
        else if (a == "--visitors") o.visitors = static_cast<int>(num(a, value()));
        else if (a == "--rate") o.rate = num(a, value());
        else if (a == "--duration") o.duration_s = num(a, value());
        else if (a == "--warmup") o.warmup_s = num(a, value());
        else if (a == "--idle") o.idle = true;
        else if (a == "--connect-rate") o.connect_rate = std::max(1.0, num(a, value()));
        else if (a == "--agents") o.agents = static_cast<int>(num(a, value()));
        else if (a == "--agent-first") o.agent_first = static_cast<int>(num(a, value()));
        else if (a == "--agent-password-file") o.agent_password_file = value();
        else if (a == "--handoff-ratio") o.handoff_ratio = num(a, value());
        else if (a == "--source") o.sources = parse_sources(value());
        else if (a == "--server-pid") o.server_pid = static_cast<int>(num(a, value()));
        else if (a == "--json") o.json_path = value();
        else if (a == "--questions") o.questions_path = value();
        else if (a == "--label") o.label = value();
        else if (a == "--reconnect") o.reconnect = true;
        else if (a == "--new-shoppers") o.new_shoppers = true;
        else if (a == "--acked") o.acked_path = value();
        else if (a == "--timeline") o.timeline_path = value();
        else if (a == "--start-at") o.start_at_ms = static_cast<std::int64_t>(num(a, value()));
        else if (a == "--server-base-rss-kb") o.server_base_rss_kb = static_cast<std::int64_t>(num(a, value()));
        else if (a == "--merge") merging = true;
        else if (merging && a.rfind("--", 0) != 0) o.merge.push_back(a);
        else throw std::invalid_argument("unknown flag '" + a + "' (see --help)");
    }
    if (merging) {
        if (o.merge.empty()) throw std::invalid_argument("--merge: no report file given");
        return o;
    }
    if (o.port == 0) throw std::invalid_argument("--url: required");
    if (o.agents > 0 && o.agent_password_file.empty())
        throw std::invalid_argument("--agents: needs --agent-password-file");
    if (o.handoff_ratio > 1) throw std::invalid_argument("--handoff-ratio: expected 0..1");
    return o;
}

}  // namespace chat::bench
