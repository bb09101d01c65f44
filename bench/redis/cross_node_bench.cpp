// cross_node_bench.cpp — cross-node-bench: what a conversation pays when its visitor and its
// agent are on two nodes. Starts its own redis-server and chatd nodes (the test support's
// processes, on free loopback ports) and times, message by message, an agent's message from
// the moment it is sent to the moment the visitor receives it, and the visitor's reply to the
// agent, in three set-ups:
//   single  one chatd without --redis (the embedded default);
//   local   --redis, visitor and agent on the same node (the journal write, no hop);
//   cross   --redis, visitor on n1 (the owner), agent on n2 (a hop to the owner and one back).
// One message at a time, so each figure is a latency, not a throughput. Prints p50 and p99 per
// run and the medians over the runs.
//   build/bin/cross-node-bench [--messages 200] [--runs 5]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>
#include <cstdio>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat_actors.hpp"
#include "redis_process.hpp"

using namespace chat::test;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {
struct Figures {
    double to_visitor_p50, to_visitor_p99, to_agent_p50, to_agent_p99;
};

double pct(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    std::size_t rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p / 100.0 * static_cast<double>(v.size()))));
    return v[rank - 1];
}

json until_text(WsClient& ws, const std::string& text) {
    for (;;) {
        json f = ws.next(std::chrono::seconds(10));
        if (f.value("type", "") == "message" && f.value("text", "") == text) return f;
    }
}

Figures measure(unsigned short visitor_port, unsigned short agent_port, int messages) {
    AgentClient agent(agent_port, "alice");
    Shopper v(visitor_port);
    v.say("I want to talk to a human");
    const std::string conv = agent.ws.expect("assigned", std::chrono::seconds(20))["conv"];
    v.ws.expect("assigned", std::chrono::seconds(20));
    std::vector<double> to_visitor, to_agent;
    for (int i = 0; i < messages + 10; ++i) {  // the first 10 warm up
        const std::string a = "agent " + std::to_string(i), b = "visitor " + std::to_string(i);
        auto t0 = Clock::now();
        agent.ws.send(json{{"type", "message"}, {"conv", conv}, {"text", a}, {"client_id", "a" + std::to_string(i)}});
        until_text(v.ws, a);
        auto t1 = Clock::now();
        v.ws.send(json{{"type", "message"}, {"text", b}, {"client_id", "v" + std::to_string(i)}});
        until_text(agent.ws, b);
        auto t2 = Clock::now();
        if (i < 10) continue;
        to_visitor.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        to_agent.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    }
    return {pct(to_visitor, 50), pct(to_visitor, 99), pct(to_agent, 50), pct(to_agent, 99)};
}

struct Node {
    TempDir dir;
    std::optional<ChatdProcess> chatd;
};

void accounts(const std::filesystem::path& data) {
    std::filesystem::create_directories(data);
    std::ofstream(data / "secret", std::ios::binary) << std::string(32, 's');
    add_user(data, "alice", "agent", "fr,en", 3);
}
}  // namespace

int main(int argc, char** argv) {
    int messages = 200, runs = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--messages") messages = std::stoi(argv[i + 1]);
        else if (a == "--runs") runs = std::stoi(argv[i + 1]);
        else {
            std::cerr << "usage: cross-node-bench [--messages N] [--runs N]\n";
            return 2;
        }
    }
    std::map<std::string, std::vector<Figures>> all;
    for (int run = 1; run <= runs; ++run) {
        for (const std::string setup : {"single", "local", "cross"}) {
            std::optional<RedisProcess> redis;
            Node n1, n2;
            accounts(n1.dir.path() / "data");
            accounts(n2.dir.path() / "data");
            // No per-connection rate limit: the bench sends as fast as answers come back.
            const auto config = n1.dir.path() / "config.json";
            std::ofstream(config) << R"({"limits": {"msgs_per_s": 100000, "burst": 100000}})";
            std::vector<std::string> a1{"--config", config.string()}, a2{"--config", config.string()};
            if (setup != "single") {
                redis.emplace();
                a1.insert(a1.end(), {"--redis", redis->url(), "--node", "n1"});
                a2.insert(a2.end(), {"--redis", redis->url(), "--node", "n2"});
            }
            n1.chatd.emplace(a1, n1.dir.path() / "data");
            if (setup == "cross") n2.chatd.emplace(a2, n2.dir.path() / "data");
            // Both nodes listening and subscribed: wait for the link to be up.
            for (auto* n : {&n1, &n2}) {
                if (!n->chatd || setup == "single") continue;
                for (int i = 0; i < 500; ++i) {
                    auto h = json::parse(http_request(n->chatd->port(), "GET", "/healthz").body, nullptr, false);
                    if (h.is_object() && h.value("redis", "") == "up") break;
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
            }
            const unsigned short agent_port = setup == "cross" ? n2.chatd->port() : n1.chatd->port();
            Figures f = measure(n1.chatd->port(), agent_port, messages);
            all[setup].push_back(f);
            std::printf("run %d %-6s agent->visitor p50 %7.0f us p99 %7.0f us | visitor->agent p50 %7.0f us p99 %7.0f us\n", run,
                        setup.c_str(), f.to_visitor_p50, f.to_visitor_p99, f.to_agent_p50, f.to_agent_p99);
            std::fflush(stdout);
        }
    }
    auto median = [](std::vector<double> v) {
        std::sort(v.begin(), v.end());
        return v[v.size() / 2];
    };
    std::printf("\nmedians over %d runs of %d messages each way:\n", runs, messages);
    for (const std::string setup : {"single", "local", "cross"}) {
        std::vector<double> a, b, c, d;
        for (const auto& f : all[setup]) a.push_back(f.to_visitor_p50), b.push_back(f.to_visitor_p99), c.push_back(f.to_agent_p50), d.push_back(f.to_agent_p99);
        std::printf("%-6s agent->visitor p50 %7.0f us p99 %7.0f us | visitor->agent p50 %7.0f us p99 %7.0f us\n", setup.c_str(),
                    median(a), median(b), median(c), median(d));
    }
    return 0;
}
