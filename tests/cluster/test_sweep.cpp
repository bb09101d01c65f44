// test_sweep.cpp — a node killed with SIGKILL while it owns a queued conversation and an
// assigned one, whose visitors do not come back: the surviving nodes' sweep takes both over
// within seconds (the liveness key expired, claim.lua makes one winner), the queued one is
// assigned to an agent on another node, the assigned one stays with its agent, whose reply is
// written once, by the taker; chat-kpi over the three logs counts each conversation once.
#include <catch2/catch.hpp>

#include <map>

#include "three_nodes.hpp"

using namespace chat::test;
using nlohmann::json;

TEST_CASE("a dead node's conversations no client comes back for are taken over by the sweep",
          "[cluster][redis][chatd]") {
    Nodes c({{"alice", "agent", "fr,en", 1}, {"bob", "agent", "fr,en", 1}});
    AgentClient alice(c.port(1), "alice");  // on n2, room for one conversation
    REQUIRE(eventually([&] { return c.online("alice"); }));

    std::string assigned_conv, queued_conv;
    {
        // Two visitors on n1: the first gets alice, the second waits in the queue.
        Shopper v1(c.port(0));
        v1.say("I want to talk to a human");
        assigned_conv = alice.ws.expect("assigned", 20s)["conv"];
        CHECK(v1.ws.expect("assigned", 10s)["agent_name"] == "alice");
        alice.say(assigned_conv, "Hello, how can I help?");
        expect_text(v1.ws, "Hello, how can I help?");

        Shopper v2(c.port(0));
        v2.say("I want to talk to a human");
        v2.ws.expect("queued", 10s);
        REQUIRE(eventually([&] { return !redis_cli(c.redis, {"ZRANGE", "{chat}:queue:normal", "0", "-1"}).empty(); }));
        queued_conv = redis_cli(c.redis, {"ZRANGE", "{chat}:queue:normal", "0", "-1"});
        CHECK(queued_conv.rfind("cn1-", 0) == 0);
        CHECK(redis_cli(c.redis, {"SCARD", "{chat}:node:n1:convs"}) == "2");

        REQUIRE(c.stop(0, SIGKILL) == 128 + SIGKILL);
    }  // the visitors' sockets close with n1 and they never come back

    // bob comes online on n3: the queued conversation is his once a survivor owns it.
    std::unique_ptr<AgentClient> bob_console;
    CHECK(online_and_assigned(c.port(2), "bob", bob_console)["conv"] == queued_conv);
    AgentClient& bob = *bob_console;

    // Both conversations were taken over, each by one node; n1's journaled set is emptied.
    auto taker_of = [&](const std::string& conv) {
        const std::string line = "took " + conv + " over from n1";
        int n = 0, who = -1;
        for (int i = 1; i < 3; ++i)
            if (c.output(i).find(line) != std::string::npos) ++n, who = i;
        return n == 1 ? who : -1;
    };
    REQUIRE(eventually([&] { return taker_of(assigned_conv) != -1 && taker_of(queued_conv) != -1; }, 20s));
    CHECK(redis_cli(c.redis, {"HGET", "{chat}:conv:" + assigned_conv, "stage"}) == "assigned");
    CHECK(redis_cli(c.redis, {"HGET", "{chat}:conv:" + assigned_conv, "agent"}) == "alice");
    REQUIRE(eventually([&] { return redis_cli(c.redis, {"SCARD", "{chat}:node:n1:convs"}) == "0"; }, 10s));
    const int taker = taker_of(assigned_conv);

    // alice (on n2) still has her conversation: her reply is acknowledged, written by the taker.
    alice.next_id = 100;
    json ack = alice.say(assigned_conv, "Are you still there?");
    CHECK(ack["conv"] == assigned_conv);
    bob.next_id = 100;
    CHECK(bob.say(queued_conv, "Hello, I am Bob.")["conv"] == queued_conv);

    for (int i = 1; i < 3; ++i) REQUIRE(c.stop(i) == 0);
    std::map<std::string, int> texts, opened, assigned;
    int reply_in_taker = 0;
    for (int i = 0; i < 3; ++i)
        for (const auto& e : events_in(c.nodes[i]->data())) {
            const std::string type = e["type"];
            if (type == "message" && e["text"].is_string()) {
                texts[e["text"].get<std::string>()]++;
                if (e["text"] == "Are you still there?" && i == taker) ++reply_in_taker;
            }
            if (type == "conversation.opened") opened[e["conv"].get<std::string>()]++;
            if (type == "conversation.assigned") assigned[e["conv"].get<std::string>()]++;
        }
    CHECK(texts["Are you still there?"] == 1);
    CHECK(reply_in_taker == 1);
    CHECK(texts["Hello, I am Bob."] == 1);
    CHECK(texts["Hello, how can I help?"] == 1);
    CHECK(opened == std::map<std::string, int>{{assigned_conv, 1}, {queued_conv, 1}});
    CHECK(assigned == std::map<std::string, int>{{assigned_conv, 1}, {queued_conv, 1}});
    json k = kpi_of({c.nodes[0]->data(), c.nodes[1]->data(), c.nodes[2]->data()});
    CHECK(k["conversations"] == 2);
    CHECK(k["counts"]["handoffs"] == 2);
}
