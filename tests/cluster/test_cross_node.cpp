// test_cross_node.cpp — a visitor on one node and an agent on another chat as if on one node:
// three real chatd nodes and a real redis-server. The conversation's events are written once,
// by the node that owns it, and chat-kpi over the three data directories gives the report a
// single node gives for the same scenario.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "three_nodes.hpp"

using namespace chat::test;
using nlohmann::json;

namespace {
const Users kUsers{{"alice", "agent", "fr,en", 2}, {"bob", "agent", "fr,en", 2}};

// The scenario, on whatever ports: visitor on `vport`, alice on `aport`. Returns the conversation.
std::string scenario(unsigned short vport, unsigned short aport, const std::function<void()>& alice_online = {}) {
    AgentClient alice(aport, "alice");
    if (alice_online) alice_online();
    Shopper v(vport, "?lang=en&page=%2Fshop%2Fwool-throw.html");
    v.say("I want to talk to a human");
    CHECK(v.ws.expect("assigned", 20s)["agent_name"] == "alice");
    json assigned = alice.ws.expect("assigned", 20s);
    const std::string conv = assigned["conv"];
    CHECK(assigned["visitor"]["page"] == "/shop/wool-throw.html");
    CHECK(assigned["history"].size() >= 2);

    json ack = alice.say(conv, "Hello, I'm Alice. How can I help?");
    CHECK(ack["conv"] == conv);
    json m = v.ws.expect("message", 10s);
    CHECK(m["author"] == "agent");
    CHECK(m["text"] == "Hello, I'm Alice. How can I help?");
    CHECK(m["seq"] == ack["seq"]);
    // A resend with the same client_id is acknowledged again, not written twice.
    alice.ws.send(json{{"type", "message"}, {"conv", conv}, {"text", "Hello, I'm Alice. How can I help?"}, {"client_id", "a1"}});
    json again = alice.ws.expect("ack", 10s);
    CHECK(again["msg"] == ack["msg"]);
    CHECK(again["seq"] == ack["seq"]);

    v.ws.send(json{{"type", "typing"}, {"on", true}});
    CHECK(alice.ws.expect("typing", 10s)["on"] == true);
    v.say("My parcel is late");
    CHECK(alice.ws.expect("message", 10s)["text"] == "My parcel is late");
    alice.ws.send(json{{"type", "typing"}, {"conv", conv}, {"on", true}});
    CHECK(v.ws.expect("typing", 10s)["agent_name"] == "alice");
    alice.say(conv, "Your parcel arrives tomorrow.");
    CHECK(v.ws.expect("message", 10s)["text"] == "Your parcel arrives tomorrow.");

    // Another agent may not act on it, wherever it is connected.
    alice.ws.send(json{{"type", "resolve"}, {"conv", conv}});
    CHECK(alice.ws.expect("closed", 10s)["reason"] == "resolved");
    json resolved = v.ws.expect("resolved", 10s);
    CHECK(resolved["ask_csat"] == true);
    v.ws.send(json{{"type", "csat"}, {"score", 5}, {"comment", "quick and kind"}});
    CHECK(v.ws.expect("ok", 10s)["for"] == "csat");
    return conv;
}

// The report without what depends on timing: durations keep their counts only.
json timeless(const json& j) {
    if (j.is_array()) {
        json out = json::array();
        for (const auto& x : j) out.push_back(timeless(x));
        return out;
    }
    if (!j.is_object()) return j;
    json out = json::object();
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& k = it.key();
        if (k == "volume" || k == "daily") continue;  // by hour and day: the two runs may straddle one
        if (k == "response_histogram") {  // how many, not in which bucket
            json sums = json::object();
            for (auto h = it->begin(); h != it->end(); ++h) {
                int n = 0;
                for (const auto& b : *h) n += b.get<int>();
                sums[h.key()] = n;
            }
            out[k] = sums;
            continue;
        }
        const bool timed = k.find("_ms") != std::string::npos;
        if (timed && it->is_object()) out[k] = json{{"count", (*it)["count"]}};
        else if (!timed) out[k] = timeless(*it);
    }
    return out;
}

std::map<std::string, int> type_counts(const std::vector<json>& events, bool with_conv_only) {
    std::map<std::string, int> n;
    for (const auto& e : events)
        if (!with_conv_only || e.contains("conv")) n[e["type"].get<std::string>() + (e.contains("author") ? ":" + e["author"].get<std::string>() : "")]++;
    return n;
}
}  // namespace

TEST_CASE("a visitor on one node and an agent on another: one conversation, written once, same KPIs as one node",
          "[cluster][redis][chatd]") {
    // The same scenario on a single node, for the reference report.
    json single;
    std::map<std::string, int> single_counts;
    {
        TempDir dir;
        for (auto& [name, role, langs, cap] : kUsers) add_user(dir.path() / "data", name, role, langs, cap);
        ChatdProcess one({}, dir.path() / "data");
        scenario(one.port(), one.port());
        REQUIRE(one.stop(SIGTERM) == 0);
        single = kpi_of({dir.path() / "data"});
        single_counts = type_counts(events_in(dir.path() / "data"), true);
    }

    Nodes c(kUsers);
    const std::string conv = scenario(c.port(0), c.port(1), [&] { REQUIRE(eventually([&] { return c.online("alice"); })); });
    CHECK(conv.rfind("cn1-", 0) == 0);  // opened, and owned, by the visitor's node
    for (int i = 0; i < 3; ++i) REQUIRE(c.stop(i) == 0);

    // Every event of the conversation is in n1's log, once; n2 wrote the agent's presence.
    auto n1 = events_in(c.nodes[0]->data()), n2 = events_in(c.nodes[1]->data()), n3 = events_in(c.nodes[2]->data());
    CHECK(type_counts(n1, true) == single_counts);
    CHECK(type_counts(n2, true).empty());
    CHECK(type_counts(n3, true).empty());
    int presence = 0;
    for (const auto& e : n2) presence += e["type"] == "agent.status";
    CHECK(presence >= 1);
    std::set<std::string> msgs;
    for (const auto& e : n1)
        if (e["type"] == "message") CHECK(msgs.insert(e["msg"].get<std::string>()).second);

    json cluster = kpi_of({c.nodes[0]->data(), c.nodes[1]->data(), c.nodes[2]->data()});
    CHECK(cluster["conversations"] == 1);
    CHECK(cluster["csat"]["count"] == 1);
    CHECK(timeless(cluster) == timeless(single));
}
