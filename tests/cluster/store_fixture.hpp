// store_fixture.hpp — a redis-server, a client and a Store, with blocking calls for tests.
#pragma once

#include <map>
#include <set>

#include "loop.hpp"
#include "redis_process.hpp"
#include "store.hpp"

namespace chat::test {

struct StoreFixture {
    RedisProcess redis;
    boost::asio::io_context ioc;
    cluster::RedisClient client{ioc, options(redis.port(), "store")};
    cluster::Store store{client};

    StoreFixture() {
        client.start();
        if (!wait_state(ioc, client, cluster::LinkState::up)) throw std::runtime_error("no link to Redis");
    }
    ~StoreFixture() { stop_and_drain(ioc, client); }

    // Runs one Store operation and waits for its result.
    template <class T, class Op>
    T get(Op op) {
        std::optional<std::pair<std::error_code, T>> r;
        op([&](std::error_code ec, T v) { r.emplace(ec, std::move(v)); });
        if (!run_until(ioc, [&] { return r.has_value(); })) throw std::runtime_error("no reply");
        if (r->first) throw std::runtime_error("store: " + r->first.message());
        return std::move(r->second);
    }

    void online(const std::string& agent, const std::string& node, int capacity, std::vector<std::string> langs) {
        cluster::AgentPresence p{agent, node, capacity, std::move(langs), "online", 1000};
        get<long long>([&](auto done) { store.agent_online(p, done); });
    }
    cluster::EnqueueResult enqueue(const std::string& conv, const std::string& lang = "en", bool priority = false,
                                   std::int64_t now = 2000, const std::string& owner = "n1") {
        cluster::QueueEntry e{conv, owner, "v-" + conv, lang, priority, now};
        return get<cluster::EnqueueResult>([&](auto done) { store.enqueue(e, done); });
    }
    std::vector<cluster::Assignment> drain(int max = 100) {
        return get<std::vector<cluster::Assignment>>([&](auto done) { store.drain(3000, max, done); });
    }
    cluster::AssignResult assign(const std::string& conv, const std::string& agent = "", const std::string& by = "auto") {
        return get<cluster::AssignResult>([&](auto done) { store.assign(conv, 3000, agent, by, done); });
    }
    std::string release(const std::string& conv, const std::string& stage = "resolved") {
        return get<std::string>([&](auto done) { store.release(conv, stage, 0, done); });
    }
    std::vector<std::string> offline(const std::string& agent) {
        return get<std::vector<std::string>>([&](auto done) { store.agent_offline(agent, 4000, done); });
    }
    cluster::ClaimResult claim(const std::string& conv, const std::string& node) {
        return get<cluster::ClaimResult>([&](auto done) { store.claim(conv, node, done); });
    }
    // Raw reads of the state.
    cluster::Reply raw(std::vector<std::string> argv) { return call(ioc, client, std::move(argv)).reply; }
    std::set<std::string> members(const std::string& key) {
        std::set<std::string> out;
        for (auto& e : raw({"SMEMBERS", key}).elements) out.insert(e.str);
        return out;
    }
    std::vector<std::string> queue(const std::string& which) {
        std::vector<std::string> out;
        for (auto& e : raw({"ZRANGE", store.key({"queue", which}), "0", "-1"}).elements) out.push_back(e.str);
        return out;
    }
};

}  // namespace chat::test
