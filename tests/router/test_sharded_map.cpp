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
