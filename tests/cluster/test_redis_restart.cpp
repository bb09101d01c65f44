// test_redis_restart.cpp — Redis killed in the middle of conversations, then started again
// empty: every node keeps serving the conversations it holds alone (local messages still
// acknowledged), refuses cross-node work with `unavailable`, reports it on /healthz and
// /metrics, and when Redis is back writes again what it holds so that cross-node work resumes.
#include <catch2/catch.hpp>

#include "three_nodes.hpp"

using namespace chat::test;
using nlohmann::json;

TEST_CASE("Redis restarted mid-test: local conversations go on, cross-node work is refused, then resumes",
          "[cluster][redis][chatd]") {
    Nodes c({{"alice", "agent", "fr,en", 3}, {"bob", "agent", "fr,en", 3}});

    // bob on n1 takes the first visitor of n1 (all on one node); alice on n2 the second.
    AgentClient bob(c.port(0), "bob");
    REQUIRE(eventually([&] { return c.online("bob"); }));
    Shopper local(c.port(0));
    local.say("I want to talk to a human");
    const std::string local_conv = bob.ws.expect("assigned", 20s)["conv"];
    AgentClient alice(c.port(1), "alice");
    REQUIRE(eventually([&] { return c.online("alice"); }));
    Shopper remote(c.port(0));
    remote.say("I want to talk to a human");
    const std::string remote_conv = alice.ws.expect("assigned", 20s)["conv"];
    CHECK(remote.ws.expect("assigned", 20s)["agent_name"] == "alice");
    alice.say(remote_conv, "Hello from alice");
    CHECK(expect_text(remote.ws, "Hello from alice")["author"] == "agent");

    c.redis.stop(SIGKILL);
    for (int i = 0; i < 3; ++i) REQUIRE(eventually([&] { return c.health(i) != "up" && !c.health(i).empty(); }));
    CHECK_THAT(http_request(c.port(0), "GET", "/metrics").body, Catch::Contains("chat_redis_up 0"));
    CHECK(http_request(c.port(0), "GET", "/healthz").status == 200);

    // The conversation n1 holds with its own agent goes on: acknowledged, delivered.
    local.say("Still there?");
    CHECK(bob.ws.expect("message", 10s)["text"] == "Still there?");
    json ack = bob.say(local_conv, "Yes, still here.");
    CHECK(ack["conv"] == local_conv);
    CHECK(expect_text(local.ws, "Yes, still here.")["author"] == "agent");

    // Across nodes: refused, clearly, and nothing written.
    alice.ws.send(json{{"type", "message"}, {"conv", remote_conv}, {"text", "Are you there?"}, {"client_id", "late"}});
    json refused = alice.ws.expect("error", 10s);
    CHECK(refused["code"] == "unavailable");
    // A new handoff keeps its place in this node's queue and is told no agent can be reached.
    Shopper waiting(c.port(0));
    waiting.say("I want to talk to a human");
    CHECK(waiting.ws.expect("queued", 10s)["position"] == 1);
    CHECK(waiting.ws.expect("error", 10s)["code"] == "unavailable");

    // Redis comes back empty: the nodes write again what they hold, and work across nodes resumes.
    c.redis.start();
    REQUIRE(c.ready());
    CHECK(eventually([&] { return c.online("alice") && c.online("bob"); }));
    CHECK(eventually([&] { return redis_cli(c.redis, {"HGET", "{chat}:conv:" + remote_conv, "agent"}) == "alice"; }));
    CHECK(eventually([&] { return redis_cli(c.redis, {"HGET", "{chat}:conv:" + local_conv, "owner"}) == "n1"; }));
    json given = waiting.ws.expect("assigned", 20s);
    const std::string who = given["agent_name"];
    CHECK((who == "alice" || who == "bob"));
    CHECK((who == "alice" ? alice : bob).ws.expect("assigned", 10s)["conv"].is_string());
    // alice's refused message, sent again with its client_id, now goes through, once.
    alice.ws.send(json{{"type", "message"}, {"conv", remote_conv}, {"text", "Are you there?"}, {"client_id", "late"}});
    json late = alice.ws.expect("ack", 10s);
    CHECK(late["conv"] == remote_conv);
    CHECK(expect_text(remote.ws, "Are you there?")["author"] == "agent");
    alice.ws.send(json{{"type", "message"}, {"conv", remote_conv}, {"text", "Are you there?"}, {"client_id", "late"}});
    CHECK(alice.ws.expect("ack", 10s)["msg"] == late["msg"]);

    CHECK_THAT(c.output(0), Catch::Contains("told redis what this node holds (3 conversations)"));
    for (int i = 0; i < 3; ++i) REQUIRE(c.stop(i) == 0);
    int written = 0;
    for (const auto& e : events_in(c.nodes[0]->data()))
        written += e["type"] == "message" && e.value("text", "") == "Are you there?";
    CHECK(written == 1);
}
