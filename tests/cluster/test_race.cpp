// test_race.cpp — many handoffs at once on three nodes, agents on every node: Redis's scripts
// assign each conversation once and never put an agent over capacity, as the agents' consoles
// and the three logs both show; freed places are filled from the shared queue.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "three_nodes.hpp"

using namespace chat::test;
using nlohmann::json;

TEST_CASE("many handoffs at once across three nodes: no conversation assigned twice, no agent over capacity",
          "[cluster][redis][chatd]") {
    constexpr int kCapacity = 2, kPerNode = 10;
    const std::vector<std::string> names{"a1", "a2", "b1", "b2", "c1", "c2"};
    Users users;
    for (const auto& n : names) users.emplace_back(n, "agent", "fr,en", kCapacity);
    Nodes c(users);

    // Two agents on each node.
    std::vector<std::unique_ptr<AgentClient>> agents;
    for (std::size_t i = 0; i < names.size(); ++i) agents.push_back(std::make_unique<AgentClient>(c.port(static_cast<int>(i / 2)), names[i]));
    for (const auto& n : names) REQUIRE(eventually([&] { return c.online(n); }));

    // Thirty visitors, ten per node, ask for a human at the same moment.
    std::vector<std::unique_ptr<Shopper>> visitors;
    for (int i = 0; i < 3 * kPerNode; ++i) visitors.push_back(std::make_unique<Shopper>(c.port(i % 3)));
    for (auto& v : visitors)
        v->ws.send(json{{"type", "message"}, {"text", "I want to talk to a human"}, {"client_id", "h"}});

    // What each console receives; `open` is what it holds now.
    std::map<std::string, std::set<std::string>> open, ever;
    std::map<std::string, int> assigned_frames;
    std::set<std::string> all;
    int total = 0;
    auto collect = [&](int want) {
        return eventually(
            [&] {
                for (std::size_t i = 0; i < agents.size(); ++i) {
                    while (auto text = agents[i]->ws.recv(std::chrono::milliseconds(10))) {
                        json f = json::parse(*text);
                        if (f["type"] != "assigned") continue;
                        const std::string conv = f["conv"];
                        assigned_frames[names[i]]++;
                        CHECK(open[names[i]].insert(conv).second);
                        CHECK(static_cast<int>(open[names[i]].size()) <= kCapacity);
                        CHECK(all.insert(conv).second);  // nobody else ever got it
                        ++total;
                    }
                }
                return total >= want;
            },
            std::chrono::seconds(60));
    };
    const bool first = collect(kCapacity * static_cast<int>(names.size()));
    INFO("assigned " << total << "; queue " << redis_cli(c.redis, {"ZRANGE", "{chat}:queue:normal", "0", "-1"}) << "\n"
                     << c.output(0) << c.output(1) << c.output(2));
    REQUIRE(first);
    CHECK(total == 12);
    // Redis holds the other eighteen in the queue, and no agent above its capacity.
    CHECK(eventually([&] { return redis_cli(c.redis, {"ZCARD", "{chat}:queue:normal"}) == "18"; }));
    for (const auto& n : names) CHECK(redis_cli(c.redis, {"SCARD", "{chat}:agent:" + n + ":convs"}) == "2");

    // Each agent resolves one: its place goes to the head of the shared queue, whoever owns it.
    for (std::size_t i = 0; i < agents.size(); ++i) {
        const std::string conv = *open[names[i]].begin();
        agents[i]->ws.send(json{{"type", "resolve"}, {"conv", conv}});
        open[names[i]].erase(conv);
    }
    REQUIRE(collect(18));
    CHECK(eventually([&] { return redis_cli(c.redis, {"ZCARD", "{chat}:queue:normal"}) == "12"; }));
    for (const auto& n : names) CHECK(assigned_frames[n] == 3);
    // The visitors saw it: eighteen were told an agent joined.
    std::set<std::size_t> told;
    eventually([&] {
        for (std::size_t i = 0; i < visitors.size(); ++i) {
            if (told.count(i)) continue;
            while (auto text = visitors[i]->ws.recv(std::chrono::milliseconds(10)))
                if (json::parse(*text)["type"] == "assigned") told.insert(i);
        }
        return told.size() >= 18;
    });
    CHECK(told.size() == 18);

    for (int i = 0; i < 3; ++i) REQUIRE(c.stop(i) == 0);
    // The logs: each conversation assigned once, by its owner; loads never above capacity.
    std::vector<json> events;
    for (int i = 0; i < 3; ++i) {
        for (auto& e : events_in(c.nodes[i]->data())) {
            if (e.contains("conv")) CHECK(e["conv"].get<std::string>().rfind("c" + c.nodes[i]->id + "-", 0) == 0);
            events.push_back(std::move(e));
        }
    }
    // In time order; within one millisecond a place is freed before it is given again (the
    // release that frees it runs after the resolution is logged, the assignment after that).
    std::stable_sort(events.begin(), events.end(), [](const json& a, const json& b) {
        if (a["ts"] != b["ts"]) return a["ts"] < b["ts"];
        return a["type"] == "conversation.resolved" && b["type"] != "conversation.resolved";
    });
    std::map<std::string, int> assigned_per_conv;
    std::map<std::string, std::string> holder;
    std::map<std::string, int> load;
    for (const auto& e : events) {
        if (e["type"] == "conversation.assigned") {
            const std::string conv = e["conv"], agent = e["agent"];
            assigned_per_conv[conv]++;
            holder[conv] = agent;
            CHECK(++load[agent] <= kCapacity);
        } else if (e["type"] == "conversation.resolved" && holder.count(e["conv"])) {
            load[holder[e["conv"]]]--;
        }
    }
    CHECK(assigned_per_conv.size() == 18);
    for (const auto& [conv, n] : assigned_per_conv) CHECK(n == 1);
}
