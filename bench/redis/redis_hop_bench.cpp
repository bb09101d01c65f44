// redis_hop_bench.cpp — the cost of the Redis hop, measured on loopback.
//
// Against a running redis-server (--port), each run measures, one operation at a time (the
// next starts when the previous one ended, so these are latencies, not throughput):
//   baseline  PING with blocking hiredis (redisCommand): the floor for a round trip;
//   command   PING through RedisClient on an io_context (the Asio adapter);
//   script    Store::assign of a queued conversation (EVALSHA of assign.lua), then release;
//   pubsub    PUBLISH through RedisClient until the RedisSubscriber's callback has the
//             message: the one-way delay a message between two nodes pays;
// and pipelined PINGs per second through RedisClient (a node under load). Prints each run and
// the median of the runs' medians.
//   redis-hop-bench --port 6390 [--runs 5] [--count 5000]
#include <hiredis/hiredis.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "redis_client.hpp"
#include "store.hpp"

using namespace chat::cluster;
using Clock = std::chrono::steady_clock;

namespace {

double us(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    std::size_t rank = static_cast<std::size_t>(std::max(1.0, std::ceil(p / 100.0 * v.size())));
    return v[rank - 1];
}

void run_until(boost::asio::io_context& ioc, const std::function<bool()>& done) {
    while (!done()) {
        ioc.restart();
        ioc.run_one_for(std::chrono::milliseconds(10));
    }
}

struct Run {
    std::map<std::string, std::vector<double>> samples;  // name -> µs
    double pipelined_per_s = 0;
};

Run one_run(int port, int count) {
    Run run;
    // Baseline: blocking hiredis.
    redisContext* sync = redisConnect("127.0.0.1", port);
    if (!sync || sync->err) throw std::runtime_error("cannot connect to redis-server on port " + std::to_string(port));
    for (int i = 0; i < count; ++i) {
        auto t = Clock::now();
        auto* r = static_cast<redisReply*>(redisCommand(sync, "PING"));
        run.samples["baseline"].push_back(us(Clock::now() - t));
        freeReplyObject(r);
    }
    redisFree(sync);

    boost::asio::io_context ioc;
    ClientOptions o;
    o.url = RedisUrl::parse("redis://127.0.0.1:" + std::to_string(port));
    RedisClient client(ioc, o);
    std::string last_msg;
    Clock::time_point published;
    std::vector<double>& pubsub = run.samples["pubsub"];
    RedisSubscriber sub(ioc, o, [&](const std::string&, const std::string& m) {
        pubsub.push_back(us(Clock::now() - published));
        last_msg = m;
    });
    client.start();
    sub.start();
    run_until(ioc, [&] { return client.state() == LinkState::up && sub.state() == LinkState::up; });
    bool confirmed = false;
    sub.subscribe("bench", [&](std::error_code ec) { confirmed = !ec; });
    run_until(ioc, [&] { return confirmed; });

    // command: one PING at a time through the adapter.
    {
        int left = count;
        Clock::time_point t;
        std::function<void()> next = [&] {
            t = Clock::now();
            client.command({"PING"}, [&](std::error_code, Reply) {
                run.samples["command"].push_back(us(Clock::now() - t));
                if (--left > 0) next();
            });
        };
        next();
        run_until(ioc, [&] { return left == 0; });
    }
    // pubsub: publish, wait for the subscriber, publish the next.
    for (int i = 0; i < count; ++i) {
        std::string payload = "{\"type\":\"message\",\"conv\":\"cn1-" + std::to_string(i) + "\",\"text\":\"hello\"}";
        published = Clock::now();
        client.command({"PUBLISH", "bench", payload}, [](std::error_code, Reply) {});
        run_until(ioc, [&] { return last_msg == payload; });
    }
    // script: assign a queued conversation to an agent with room, then release it.
    {
        Store store(client, "{bench}");
        bool ready = false;
        store.agent_online(AgentPresence{"a1", "n1", 1000000, {"en"}, "online", 1}, [&](std::error_code, long long) {
            ready = true;
        });
        run_until(ioc, [&] { return ready; });
        for (int i = 0; i < count; ++i) {
            std::string conv = std::to_string(i);
            conv.insert(conv.begin(), 'c');
            bool queued = false, assigned = false;
            store.enqueue(QueueEntry{conv, "n1", "v", "en", false, i}, [&](std::error_code, EnqueueResult) { queued = true; });
            run_until(ioc, [&] { return queued; });
            auto t = Clock::now();
            store.assign(conv, i, "", "auto", [&](std::error_code ec, AssignResult r) {
                if (ec || !r.ok) std::fprintf(stderr, "assign failed\n");
                run.samples["script"].push_back(us(Clock::now() - t));
                assigned = true;
            });
            run_until(ioc, [&] { return assigned; });
            bool released = false;
            store.release(conv, "resolved", 0, [&](std::error_code, std::string) { released = true; });
            run_until(ioc, [&] { return released; });
        }
        bool cleaned = false;
        client.command({"FLUSHDB"}, [&](std::error_code, Reply) { cleaned = true; });
        run_until(ioc, [&] { return cleaned; });
    }
    // pipelined: 20 × count PINGs in flight at once.
    {
        const int n = 20 * count;
        int done = 0;
        auto t = Clock::now();
        for (int i = 0; i < n; ++i) client.command({"PING"}, [&](std::error_code, Reply) { ++done; });
        run_until(ioc, [&] { return done == n; });
        run.pipelined_per_s = n / std::chrono::duration<double>(Clock::now() - t).count();
    }
    client.stop();
    sub.stop();
    run_until(ioc, [&] { return client.state() == LinkState::stopped && sub.state() == LinkState::stopped; });
    return run;
}

}  // namespace

int main(int argc, char** argv) {
    int port = 6379, runs = 5, count = 5000;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--port") port = std::stoi(argv[i + 1]);
        else if (a == "--runs") runs = std::stoi(argv[i + 1]);
        else if (a == "--count") count = std::stoi(argv[i + 1]);
        else {
            std::fprintf(stderr, "usage: redis-hop-bench [--port N] [--runs N] [--count N]\n");
            return 2;
        }
    }
    std::map<std::string, std::vector<double>> p50s, p99s;
    std::vector<double> rates;
    for (int r = 0; r < runs; ++r) {
        Run run = one_run(port, count);
        std::printf("run %d:", r + 1);
        for (auto& [name, v] : run.samples) {
            p50s[name].push_back(percentile(v, 50));
            p99s[name].push_back(percentile(v, 99));
            std::printf("  %s p50 %.1f µs p99 %.1f µs", name.c_str(), percentile(v, 50), percentile(v, 99));
        }
        std::printf("  pipelined %.0f cmd/s\n", run.pipelined_per_s);
        rates.push_back(run.pipelined_per_s);
    }
    std::printf("median of %d runs (%d operations each):\n", runs, count);
    for (auto& [name, v] : p50s)
        std::printf("  %-9s p50 %7.1f µs   p99 %7.1f µs\n", name.c_str(), percentile(v, 50), percentile(p99s[name], 50));
    std::printf("  pipelined %.0f commands/s\n", percentile(rates, 50));
}
