// ShardedMap: the router's map of conversations and visitors behaves as the std::unordered_map
// it replaced — every entry found, visited once by iteration, references stable while it grows.
#include "sharded_map.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <unordered_map>
#include <vector>

using chat::router::ShardedMap;

TEST_CASE("sharded map: an empty map", "[sharded_map]") {
    ShardedMap<int> m;
    CHECK(m.empty());
    CHECK(m.size() == 0);
    CHECK(m.begin() == m.end());
    CHECK(m.find("x") == m.end());
    CHECK(m.count("x") == 0);
    CHECK_THROWS_AS(m.at("x"), std::out_of_range);
    const auto& c = m;
    CHECK(c.begin() == c.end());
}

TEST_CASE("sharded map: as std::unordered_map, across its growth", "[sharded_map]") {
    ShardedMap<std::string> m;
    std::unordered_map<std::string, std::string> ref;
    std::vector<const std::string*> first_values;
    for (int i = 0; i < 200000; ++i) {
        const std::string k = "c-node" + std::to_string(i % 3) + "-" + std::to_string(i);
        auto [it, added] = m.try_emplace(k, "v" + std::to_string(i));
        REQUIRE(added);
        ref.emplace(k, "v" + std::to_string(i));
        if (i < 1000) first_values.push_back(&it->second);
    }
    REQUIRE(m.size() == ref.size());
    // Nodes never move: what was inserted first is where it was, after every shard grew.
    for (int i = 0; i < 1000; ++i) CHECK(*first_values[static_cast<std::size_t>(i)] == "v" + std::to_string(i));
    for (const auto& [k, v] : ref) {
        auto it = m.find(k);
        REQUIRE(it != m.end());
        CHECK(it->first == k);
        CHECK(it->second == v);
        CHECK(m.at(k) == v);
        CHECK(m.count(k) == 1);
    }
    // Iteration visits every entry once.
    std::set<std::string> seen;
    std::size_t n = 0;
    for (const auto& [k, v] : m) {
        ++n;
        seen.insert(k);
        CHECK(ref.at(k) == v);
    }
    CHECK(n == ref.size());
    CHECK(seen.size() == ref.size());
    // A second insert of a key keeps the first value.
    auto again = m.try_emplace("c-node0-0", "other");
    CHECK_FALSE(again.second);
    CHECK(again.first->second == "v0");
    CHECK(m.size() == ref.size());
}

TEST_CASE("sharded map: operator[], erase, clear, const access", "[sharded_map]") {
    ShardedMap<int> m;
    m["a"] = 1;
    m["b"] += 2;
    ++m["a"];
    CHECK(m.size() == 2);
    CHECK(m.at("a") == 2);
    CHECK(m.at("b") == 2);
    const ShardedMap<int>& c = m;
    auto it = c.find("b");
    REQUIRE(it != c.end());
    CHECK(it->second == 2);
    ShardedMap<int>::const_iterator from_mutable = m.find("a");
    CHECK(from_mutable->second == 2);
    int sum = 0;
    for (auto i = c.begin(); i != c.end(); i++) sum += i->second;
    CHECK(sum == 4);
    CHECK(m.erase("a") == 1);
    CHECK(m.erase("a") == 0);
    CHECK(m.size() == 1);
    CHECK(m.find("a") == m.end());
    m.clear();
    CHECK(m.empty());
    CHECK(m.begin() == m.end());
}

TEST_CASE("sharded map: the last entry found is remembered, never stale", "[sharded_map]") {
    ShardedMap<int> m;
    m["conv-1"] = 1;
    CHECK(m.find("conv-1")->second == 1);
    // Looked up again from the memo: the same entry, writable through the iterator.
    m.find("conv-1")->second = 5;
    CHECK(m.at("conv-1") == 5);
    // Erased while remembered: gone, also for try_emplace, which makes it anew.
    CHECK(m.erase("conv-1") == 1);
    CHECK(m.find("conv-1") == m.end());
    CHECK_THROWS_AS(m.at("conv-1"), std::out_of_range);
    auto [it, added] = m.try_emplace("conv-1", 7);
    CHECK(added);
    CHECK(it->second == 7);
    CHECK(m.size() == 1);
    // Remembered, then every shard grows (rehashes) many times over, each insertion taking the
    // memo's place: the first key is still found right, and so is each later one.
    CHECK(m.find("conv-1")->second == 7);
    for (int i = 0; i < 50000; ++i) m.try_emplace("k" + std::to_string(i), i);
    CHECK(m.find("conv-1")->second == 7);
    for (int i = 0; i < 50000; i += 997) {
        CHECK(m.find("k" + std::to_string(i))->second == i);
        CHECK(m["k" + std::to_string(i)] == i);  // operator[] of the remembered key adds nothing
    }
    CHECK(m.size() == 50001);
    // A key that is a prefix of the remembered one is another key.
    CHECK(m.find("k1")->second == 1);
    CHECK(m.find("k") == m.end());
    m.clear();
    CHECK(m.find("k1") == m.end());
    CHECK(m.empty());
}

TEST_CASE("sharded map: a copy or a move does not reach into the other map", "[sharded_map]") {
    ShardedMap<int> a;
    a["x"] = 1;
    CHECK(a.find("x")->second == 1);  // remembered in a
    ShardedMap<int> b = a;
    b.find("x")->second = 2;
    CHECK(a.at("x") == 1);
    CHECK(b.at("x") == 2);
    ShardedMap<int> c;
    c["y"] = 3;
    CHECK(c.find("y")->second == 3);
    c = a;
    CHECK(c.find("y") == c.end());
    c.find("x")->second = 4;
    CHECK(a.at("x") == 1);
    ShardedMap<int> d = std::move(c);
    CHECK(d.at("x") == 4);
    CHECK(c.empty());
    CHECK(c.find("x") == c.end());
    d = std::move(b);
    CHECK(d.at("x") == 2);
    CHECK(b.find("x") == b.end());
}
