// test_store.cpp — the shared state's Lua scripts against a real redis-server: the router's
// assignment rules, refusals, an agent going offline, ownership and takeover, script loading,
// and the assignment race: three connections (three nodes) handing off 200 conversations each
// at once, while the others try to assign the same conversations and free agents' places.
#include <catch2/catch.hpp>

#include <random>

#include "scripts.hpp"
#include "store_fixture.hpp"

using namespace chat::cluster;
using chat::test::StoreFixture;

TEST_CASE("assignment follows the router's rules: language, load, capacity, priority", "[cluster][redis][store]") {
    StoreFixture f;
    f.online("fr1", "n1", 1, {"fr"});
    f.online("en1", "n2", 2, {"en"});

    CHECK(f.enqueue("x", "en").position == 1);
    auto a = f.drain();
    REQUIRE(a.size() == 1);
    CHECK(a[0].conv == "x");
    CHECK(a[0].agent == "en1");
    CHECK(a[0].agent_node == "n2");
    CHECK(a[0].owner == "n1");
    CHECK(a[0].load == 1);

    f.enqueue("y", "fr");
    f.enqueue("z", "fr");
    a = f.drain();
    REQUIRE(a.size() == 2);
    CHECK(a[0].conv == "y");
    CHECK(a[0].agent == "fr1");  // speaks French, and is less busy
    CHECK(a[1].conv == "z");
    CHECK(a[1].agent == "en1");  // fr1 is full: the one with room takes it
    CHECK(a[1].load == 2);

    // Everyone full: the queue holds them, priority first.
    CHECK(f.enqueue("w", "en", false, 5000).position == 1);
    CHECK(f.enqueue("p", "en", true, 6000).position == 1);
    CHECK(f.enqueue("w", "en", false, 7000).position == 2);  // enqueued again: keeps its place
    CHECK(f.drain().empty());

    // en1 goes offline: x and z go back to the head of the normal queue, ahead of w.
    auto back = f.offline("en1");
    CHECK(back == std::vector<std::string>{"x", "z"});
    CHECK(f.queue("normal") == std::vector<std::string>{"x", "z", "w"});
    CHECK(f.queue("priority") == std::vector<std::string>{"p"});
    CHECK(f.members(f.store.key({"agent", "en1", "convs"})).empty());
    CHECK(f.members(f.store.key({"agents", "online"})) == std::set<std::string>{"fr1"});

    // fr1 resolves y: its place goes to the priority conversation first.
    CHECK(f.release("y") == "fr1");
    a = f.drain();
    REQUIRE(a.size() == 1);
    CHECK(a[0].conv == "p");
    CHECK(f.raw({"HGET", f.store.key({"conv", "y"}), "stage"}).str == "resolved");
}

TEST_CASE("assign refuses what would assign twice or overfill an agent", "[cluster][redis][store]") {
    StoreFixture f;
    f.online("a", "n1", 1, {"en"});
    f.online("b", "n2", 1, {"en"});
    CHECK(f.assign("nope").reason == "unknown_conversation");
    f.enqueue("c1");
    f.enqueue("c2");
    f.enqueue("c3");

    auto r = f.assign("c1", "a", "manual");
    REQUIRE(r.ok);
    CHECK(r.assignment.agent == "a");
    r = f.assign("c1");
    CHECK_FALSE(r.ok);
    CHECK(r.reason == "already_assigned");
    CHECK(r.assignment.agent == "a");
    CHECK(f.assign("c2", "a", "manual").reason == "agent_full");
    CHECK(f.assign("c2", "ghost", "manual").reason == "agent_offline");
    REQUIRE(f.assign("c2").ok);  // auto: b has room
    CHECK(f.assign("c3").reason == "no_agent");
    CHECK(f.enqueue("c1").agent == "a");  // enqueuing an assigned conversation is refused

    // Transfer: only to an agent with room, never to the same one.
    CHECK(f.assign("c1", "a", "transfer").reason == "same_agent");
    CHECK(f.assign("c1", "b", "transfer").reason == "agent_full");
    CHECK(f.release("c2") == "b");
    r = f.assign("c1", "b", "transfer");
    REQUIRE(r.ok);
    CHECK(f.members(f.store.key({"agent", "a", "convs"})).empty());
    CHECK(f.members(f.store.key({"agent", "b", "convs"})) == std::set<std::string>{"c1"});
    CHECK(f.assign("c3", "", "transfer").reason == "not_assigned");
}

TEST_CASE("ownership: a conversation changes owner only when its owner is dead", "[cluster][redis][store]") {
    StoreFixture f;
    auto beat = [&](const std::string& node, std::int64_t ttl) {
        return f.get<bool>([&](auto done) { f.store.heartbeat(node, ttl, done); });
    };
    REQUIRE(beat("n1", 10000));
    auto c = f.claim("c-1", "n1");
    REQUIRE(c.ok);
    CHECK(c.epoch == 1);
    CHECK(f.claim("c-1", "n1").epoch == 1);  // claiming what it owns changes nothing
    REQUIRE(beat("n2", 10000));
    c = f.claim("c-1", "n2");
    CHECK_FALSE(c.ok);
    CHECK(c.owner == "n1");

    // n1's heartbeat lapses: n2 takes over, the epoch moves on.
    REQUIRE(beat("n1", 50));
    REQUIRE(chat::test::run_until(f.ioc, [&] { return f.raw({"EXISTS", f.store.key({"node", "n1"})}).integer == 0; }));
    c = f.claim("c-1", "n2");
    REQUIRE(c.ok);
    CHECK(c.epoch == 2);
    CHECK(c.owner == "n1");
    CHECK(f.raw({"HGET", f.store.key({"conv", "c-1"}), "owner"}).str == "n2");
    // n1 comes back: the conversation stays with n2, which is alive.
    REQUIRE(beat("n1", 10000));
    CHECK_FALSE(f.claim("c-1", "n1").ok);
}

TEST_CASE("scripts are loaded on first use and again after Redis forgot them", "[cluster][redis][store]") {
    StoreFixture f;
    f.online("a", "n1", 2, {"en"});
    REQUIRE(f.raw({"SCRIPT", "FLUSH"}).describe() == "OK");
    CHECK(f.enqueue("c1").ok);  // EVALSHA → NOSCRIPT → EVAL
    CHECK(f.drain().size() == 1);
    auto exists = f.raw({"SCRIPT", "EXISTS", script("enqueue").sha1, script("drain").sha1});
    CHECK(exists.describe() == "[(integer) 1, (integer) 1]");
}

namespace {
// "agent" + 3 → "agent3" (written out: GCC 12 warns wrongly about literal + to_string).
std::string numbered(const char* prefix, int n) {
    std::string s(prefix);
    s += std::to_string(n);
    return s;
}

// What the race produced: every successful assignment, and what was released.
struct RaceLog {
    std::vector<Assignment> assigned;
    std::set<std::string> released;
    std::map<std::string, int> refusals;
};

// The invariants: no conversation assigned twice, no agent ever past its capacity. Returns
// the first violation found, or "".
std::string violation(const RaceLog& log, const std::map<std::string, long long>& capacity) {
    std::set<std::string> seen;
    for (const auto& a : log.assigned) {
        if (!seen.insert(a.conv).second) return a.conv + " assigned twice";
        if (a.load < 1 || a.load > capacity.at(a.agent))
            return a.agent + " at " + std::to_string(a.load) + " conversations, capacity " +
                   std::to_string(capacity.at(a.agent));
    }
    return "";
}
}  // namespace

TEST_CASE("the race checker catches a double assignment and an overfilled agent", "[cluster][store]") {
    RaceLog log;
    log.assigned = {{"c1", "a", "n1", "n1", 1}, {"c2", "a", "n1", "n1", 2}};
    CHECK(violation(log, {{"a", 2}}).empty());
    log.assigned.push_back({"c1", "b", "n2", "n1", 1});
    CHECK(violation(log, {{"a", 2}, {"b", 1}}) == "c1 assigned twice");
    log.assigned = {{"c1", "a", "n1", "n1", 3}};
    CHECK(violation(log, {{"a", 2}}) == "a at 3 conversations, capacity 2");
}

TEST_CASE("race: 3 nodes x 200 handoffs at once never assign twice nor overfill an agent", "[cluster][redis][store]") {
    chat::test::RedisProcess redis;
    boost::asio::io_context ioc;
    constexpr int kNodes = 3, kHandoffs = 200;
    std::vector<std::unique_ptr<RedisClient>> clients;
    std::vector<std::unique_ptr<Store>> stores;
    for (int n = 0; n < kNodes; ++n) {
        clients.push_back(std::make_unique<RedisClient>(ioc, chat::test::options(redis.port(), numbered("n", n))));
        clients.back()->start();
        stores.push_back(std::make_unique<Store>(*clients.back()));
    }
    for (auto& c : clients) REQUIRE(chat::test::wait_state(ioc, *c, LinkState::up));

    // Six agents on the three nodes, 2 or 3 places each: 15 places for 600 conversations.
    std::map<std::string, long long> capacity;
    int registered = 0;
    for (int i = 0; i < 6; ++i) {
        std::string agent = numbered("agent", i);
        capacity[agent] = 2 + i % 2;
        AgentPresence p{agent, numbered("n", i % kNodes), static_cast<int>(capacity[agent]),
                        {i % 2 ? "fr" : "en"}, "online", 1};
        stores[i % kNodes]->agent_online(p, [&](std::error_code ec, long long) { registered += ec ? 100 : 1; });
    }
    REQUIRE(chat::test::run_until(ioc, [&] { return registered >= 6; }));
    REQUIRE(registered == 6);

    RaceLog log;
    int outstanding = 0, errors = 0;
    std::mt19937 rng(7);
    // A node got an assignment: seven times in eight the agent resolves it at once, which frees a
    // place, and the node drains the queue.
    std::function<void(Store&, const Assignment&)> got = [&](Store& s, const Assignment& a) {
        log.assigned.push_back(a);
        if (rng() % 8 == 0) return;
        ++outstanding;
        s.release(a.conv, "resolved", 0, [&, conv = a.conv](std::error_code ec, std::string) {
            --outstanding;
            if (ec) return void(++errors);
            log.released.insert(conv);
            ++outstanding;
            s.drain(5, 3, [&](std::error_code ec2, std::vector<Assignment> as) {
                --outstanding;
                if (ec2) return void(++errors);
                for (auto& x : as) got(s, x);
            });
        });
    };
    auto on_assign = [&](Store& s) {
        return [&](std::error_code ec, AssignResult r) {
            --outstanding;
            if (ec) return void(++errors);
            if (r.ok) got(s, r.assignment);
            else log.refusals[r.reason]++;
        };
    };
    // Every node hands off its own conversations and, at the same moment, tries to assign
    // its neighbour's conversation of the same number and drains the queue.
    for (int i = 0; i < kHandoffs; ++i)
        for (int n = 0; n < kNodes; ++n) {
            Store& s = *stores[n];
            const std::string node = numbered("n", n);
            auto conv_id = [&](int of) { return numbered("cn", of) + "-" + std::to_string(i); };
            const std::string conv = conv_id(n), neighbour = conv_id((n + 1) % kNodes);
            outstanding += 4;
            s.enqueue(QueueEntry{conv, node, "v" + conv, i % 2 ? "fr" : "en", i % 7 == 0, i},
                      [&](std::error_code ec, EnqueueResult) {
                          --outstanding;
                          if (ec) ++errors;
                      });
            s.assign(conv, i, "", "auto", on_assign(s));
            s.assign(neighbour, i, "", "auto", on_assign(s));
            s.drain(i, 2, [&](std::error_code ec, std::vector<Assignment> as) {
                --outstanding;
                if (ec) return void(++errors);
                for (auto& a : as) got(s, a);
            });
        }
    REQUIRE(chat::test::run_until(ioc, [&] { return outstanding == 0; }, std::chrono::seconds(30)));
    CHECK(errors == 0);

    INFO("assigned " << log.assigned.size() << ", released " << log.released.size() << ", already_assigned "
                     << log.refusals["already_assigned"] << ", no_agent " << log.refusals["no_agent"]);
    CHECK(violation(log, capacity) == "");
    // The race really happened: places were freed and filled again, and nodes collided.
    CHECK(log.assigned.size() > 15 + 20);
    CHECK(log.refusals["already_assigned"] + log.refusals["already_resolved"] > 0);
    CHECK(log.refusals["no_agent"] > 0);

    // Redis's final state agrees with what the nodes were told.
    Store& s = *stores[0];
    auto raw = [&](std::vector<std::string> argv) { return chat::test::call(ioc, *clients[0], std::move(argv)).reply; };
    std::set<std::string> held;
    for (auto& [agent, cap] : capacity) {
        auto convs = raw({"SMEMBERS", s.key({"agent", agent, "convs"})});
        CHECK(static_cast<long long>(convs.elements.size()) <= cap);
        for (auto& c : convs.elements) CHECK(held.insert(c.str).second);
    }
    std::set<std::string> expected_held;
    for (auto& a : log.assigned)
        if (!log.released.count(a.conv)) expected_held.insert(a.conv);
    CHECK(held == expected_held);
    std::set<std::string> queued;
    for (const char* q : {"priority", "normal"})
        for (auto& c : raw({"ZRANGE", s.key({"queue", q}), "0", "-1"}).elements) queued.insert(c.str);
    CHECK(queued.size() + held.size() + log.released.size() == static_cast<std::size_t>(kNodes * kHandoffs));
    for (auto& c : held) CHECK_FALSE(queued.count(c));

    for (auto& c : clients) chat::test::stop_and_drain(ioc, *c);
}
