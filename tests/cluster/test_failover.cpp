// test_failover.cpp — a node killed with SIGKILL in the middle of a conversation: its visitor
// and its agent reconnect to other nodes and resume with nothing lost; a surviving node takes
// the conversation over (claim once the dead node's liveness key expired, rebuild from the
// journal in Redis) and continues it in its own log, without writing any earlier event again.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "three_nodes.hpp"

using namespace chat::test;
using nlohmann::json;

TEST_CASE("a node killed mid-conversation: visitor and agent resume on other nodes with nothing lost",
          "[cluster][redis][chatd]") {
    Nodes c({{"alice", "agent", "fr,en", 3}});
    std::string token, conv;
    std::uint64_t last_seq = 0;
    {
        // Both on n1.
        AgentClient alice(c.port(0), "alice");
        REQUIRE(eventually([&] { return c.online("alice"); }));
        Shopper v(c.port(0));
        token = v.token();
        v.say("I want to talk to a human");
        conv = alice.ws.expect("assigned", 20s)["conv"];
        CHECK(v.ws.expect("assigned", 10s)["agent_name"] == "alice");
        alice.say(conv, "Hello, how can I help?");
        last_seq = expect_text(v.ws, "Hello, how can I help?")["seq"];
        v.say("My order is missing a sleeve");  // acknowledged: must survive
        expect_text(alice.ws, "My order is missing a sleeve");
        json ack = alice.say(conv, "Let me check that for you.");  // acknowledged, not yet seen by the visitor
        CHECK(ack["conv"] == conv);
        REQUIRE(c.stop(0, SIGKILL) == 128 + SIGKILL);
    }

    // The visitor comes back through n2, with the last seq it saw.
    WsClient back(c.port(1));
    back.expect("welcome");
    back.send(json{{"type", "resume"}, {"token", token}, {"last_seq", last_seq}});
    json w = back.expect("welcome", 20s);
    CHECK(w["conv"] == conv);
    CHECK(w["stage"] == "assigned");
    std::vector<std::string> missed;
    for (;;) {
        json f = back.expect("message", 5s);
        missed.push_back(f["text"]);
        if (f["text"] == "Let me check that for you.") break;
    }
    CHECK(missed == std::vector<std::string>{"My order is missing a sleeve", "Let me check that for you."});
    // Taken over once: by n2 on the visitor's resume, or by a node's sweep first (the visitor
    // is then served through it).
    auto takers = [&] {
        int n = 0;
        for (int i = 1; i < 3; ++i) n += c.output(i).find("took " + conv + " over from n1") != std::string::npos;
        return n;
    };
    CHECK(eventually([&] { return takers() == 1; }, 10s));

    // The agent comes back through n3 and gets the conversation with its whole history.
    // Its console's hello lists the conversation when n3 is the owner (n3's sweep took it
    // over); otherwise the owner sends it as `assigned` once it learns where the console is.
    AgentClient alice(c.port(2), "alice", false);
    json again;
    for (const auto& f : alice.hello["conversations"])
        if (f["conv"] == conv) again = f;
    alice.ws.send(json{{"type", "status"}, {"status", "online"}});
    bool status = false;
    while (again.is_null() || !status) {  // in either order
        json f = alice.ws.next(20s);
        if (f["type"] == "assigned") again = f;
        status = status || f["type"] == "status";
    }
    CHECK(again["conv"] == conv);
    std::set<std::string> history;
    for (const auto& f : again["history"])
        if (f["type"] == "message") history.insert(f["text"].get<std::string>());
    CHECK(history.count("My order is missing a sleeve") == 1);
    CHECK(history.count("Let me check that for you.") == 1);

    // The conversation goes on: n3 forwards alice's frames to n2, the new owner.
    alice.next_id = 100;  // a console's client_ids are unique: a1… were its earlier messages
    alice.say(conv, "Found it: a new one is on its way.");
    CHECK(expect_text(back, "Found it: a new one is on its way.")["author"] == "agent");
    back.send(json{{"type", "message"}, {"text", "Thank you!"}, {"client_id", "after"}});
    CHECK(expect_text(alice.ws, "Thank you!")["author"] == "visitor");
    alice.ws.send(json{{"type", "resolve"}, {"conv", conv}});
    CHECK(alice.ws.expect("closed", 10s)["reason"] == "resolved");
    CHECK(back.expect("resolved", 10s)["conv"] == conv);

    for (int i = 1; i < 3; ++i) REQUIRE(c.stop(i) == 0);
    // Each event written once: the dead node's up to the kill, the taker's after; every
    // message once across all logs, in conversation order.
    std::map<std::string, int> msgs;
    std::map<std::string, int> opened;
    for (int i = 0; i < 3; ++i)
        for (const auto& e : events_in(c.nodes[i]->data())) {
            if (e["type"] == "message") msgs[e["msg"].get<std::string>()]++;
            if (e["type"] == "conversation.opened") opened[e["conv"].get<std::string>()]++;
        }
    for (const auto& [msg, n] : msgs) CHECK(n == 1);
    CHECK(opened.size() == 1);
    CHECK(opened[conv] == 1);
    json k = kpi_of({c.nodes[0]->data(), c.nodes[1]->data(), c.nodes[2]->data()});
    CHECK(k["conversations"] == 1);
    CHECK(k["counts"]["resolved"] == 1);
    CHECK(k["counts"]["handoffs"] == 1);
}
