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

TEST_CASE("a visitor who comes back through another node is served through it while the owner lives",
          "[cluster][redis][chatd]") {
    Nodes c(kUsers);
    AgentClient alice(c.port(2), "alice");
    REQUIRE(eventually([&] { return c.online("alice"); }));
    std::string token, conv;
    std::uint64_t last_seq = 0;
    {
        Shopper v(c.port(0));
        token = v.token();
        v.say("I want to talk to a human");
        conv = alice.ws.expect("assigned", 20s)["conv"];
        last_seq = v.ws.expect("assigned", 20s)["seq"];
        v.ws.close();
    }
    alice.say(conv, "Sent while you were away");
    // Back through n2: n1 still owns the conversation and serves the visitor through n2.
    WsClient back(c.port(1));
    back.expect("welcome");
    back.send(json{{"type", "resume"}, {"token", token}, {"last_seq", last_seq}});
    json w = back.expect("welcome", 10s);
    CHECK(w["conv"] == conv);
    CHECK(expect_text(back, "Sent while you were away")["author"] == "agent");
    back.send(json{{"type", "message"}, {"text", "Got it, thanks"}, {"client_id", "through-n2"}});
    json ack = back.expect("ack", 10s);
    CHECK(ack["client_id"] == "through-n2");
    CHECK(expect_text(alice.ws, "Got it, thanks")["author"] == "visitor");
    alice.say(conv, "You are welcome");
    CHECK(expect_text(back, "You are welcome")["author"] == "agent");
    // A resend of the same message is acknowledged again by the owner, not written twice.
    back.send(json{{"type", "message"}, {"text", "Got it, thanks"}, {"client_id", "through-n2"}});
    CHECK(back.expect("ack", 10s)["msg"] == ack["msg"]);
    back.send(json{{"type", "resolve"}});
    CHECK(back.expect("resolved", 10s)["conv"] == conv);
    CHECK(alice.ws.expect("closed", 10s)["reason"] == "resolved");

    CHECK_THAT(c.output(1), !Catch::Contains("took") && Catch::Contains("listening"));  // no takeover
    for (int i = 0; i < 3; ++i) REQUIRE(c.stop(i) == 0);
    int thanks = 0;
    for (const auto& e : events_in(c.nodes[0]->data())) thanks += e.value("text", "") == "Got it, thanks";
    CHECK(thanks == 1);
    for (int i = 1; i < 3; ++i)
        for (const auto& e : events_in(c.nodes[i]->data())) CHECK_FALSE(e.contains("conv"));
}
