// test_agent_offline.cpp — an agent whose console is on one node goes offline (its grace period
// over) while holding a conversation another node owns: Redis queues the conversation again,
// the owner is told and does what its router does for a local agent (the conversation back to
// the head of the queue, agent.status written in its own log), then the shared queue is
// drained: the conversation goes to an agent on a third node, assigned by its owner.
#include <catch2/catch.hpp>

#include <fstream>

#include "three_nodes.hpp"

using namespace chat::test;
using nlohmann::json;

TEST_CASE("an agent going offline on its console's node: the owner of its conversation queues it again",
          "[cluster][redis][chatd]") {
    TempDir cfg;
    std::ofstream(cfg.path() / "c.json") << R"({"timeouts":{"agent_grace_s":1}})";
    Nodes c({{"alice", "agent", "fr,en", 2}, {"bob", "agent", "fr,en", 2}}, 3, {"--config", (cfg.path() / "c.json").string()});

    Shopper v(c.port(0));  // the conversation is n1's
    std::string conv;
    {
        AgentClient alice(c.port(1), "alice");  // on n2
        REQUIRE(eventually([&] { return c.online("alice"); }));
        v.say("I want to talk to a human");
        conv = alice.ws.expect("assigned", 20s)["conv"];
        CHECK(v.ws.expect("assigned", 10s)["agent_name"] == "alice");
        alice.say(conv, "Hello, how can I help?");
        expect_text(v.ws, "Hello, how can I help?");
    }  // alice's console closes; her grace period (1 s) ends on n2

    REQUIRE(eventually([&] { return c.output(0).find("alice went offline on another node") != std::string::npos; }, 20s));
    CHECK(redis_cli(c.redis, {"HGET", "{chat}:conv:" + conv, "stage"}) == "queued");
    CHECK(redis_cli(c.redis, {"SCARD", "{chat}:agent:alice:convs"}) == "0");

    // bob comes online on n3: the conversation is his, assigned by n1.
    std::unique_ptr<AgentClient> bob_console;
    CHECK(online_and_assigned(c.port(2), "bob", bob_console)["conv"] == conv);
    AgentClient& bob = *bob_console;
    CHECK(v.ws.expect("assigned", 10s)["agent_name"] == "bob");
    bob.say(conv, "Bob here, I take it from here.");
    expect_text(v.ws, "Bob here, I take it from here.");
    CHECK(redis_cli(c.redis, {"HGET", "{chat}:conv:" + conv, "agent"}) == "bob");

    for (int i = 0; i < 3; ++i) REQUIRE(c.stop(i) == 0);
    // n1 wrote the conversation's events: assigned to alice, alice offline, assigned to bob.
    std::vector<std::string> seq;
    for (const auto& e : events_in(c.nodes[0]->data())) {
        if (e["type"] == "conversation.assigned" && e["conv"] == conv) seq.push_back("assigned:" + e["agent"].get<std::string>());
        if (e["type"] == "agent.status" && e["agent"] == "alice" && e["status"] == "offline") seq.push_back("offline:alice");
    }
    CHECK(seq == std::vector<std::string>{"assigned:alice", "offline:alice", "assigned:bob"});
    for (int i = 1; i < 3; ++i)
        for (const auto& e : events_in(c.nodes[i]->data())) CHECK(e.value("conv", "") != conv);
    json k = kpi_of({c.nodes[0]->data(), c.nodes[1]->data(), c.nodes[2]->data()});
    CHECK(k["conversations"] == 1);
    CHECK(k["counts"]["handoffs"] == 1);
}
