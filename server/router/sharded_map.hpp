// sharded_map.hpp — a hash map from ids that grows a little at a time, never all at once.
//
// std::unordered_map grows by rehashing every node in one go: a new bucket array, every node
// relinked. The router keeps every conversation of the reopen window and every visitor it has
// seen, on the core thread, so on a sale day its maps hold hundreds of thousands to millions
// of entries, and that one go stops every shopper's message for as long as it takes: 12 ms at
// 85,000 entries, 125 ms at 700,000, 280 ms at 1.4 million (bench/RESULTS.md). ShardedMap is
// the same map cut into kShards by the key's hash: each shard grows on its own, so a growth
// relinks a kShards-th of the nodes. Nodes never move, so references stay valid as in
// std::unordered_map; iteration goes shard by shard (its order is unspecified, as there).
//
// The entry found or added last is remembered (the memo): a visitor's message looks its
// visitor and its conversation up several times in a row (the message, the bot's answer, the
// log places of both), and in a map of hundreds of thousands of entries every look-up is a
// few cache misses (bucket, node, key). Every insertion takes the memo's place (so a shard's
// growth, which invalidates iterators, never leaves it pointing at an older one) and every
// erase drops it. Only the non-const look-ups use it, so a const map is read without writing
// anything.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

#include "id_hash.hpp"

namespace chat::router {

template <class V>
class ShardedMap {
    static constexpr std::size_t kShards = 256;
    using Shard = IdMap<V>;

public:
    using key_type = std::string;
    using mapped_type = V;
    using value_type = typename Shard::value_type;

    template <bool Const>
    class Iter {
        using Owner = std::conditional_t<Const, const ShardedMap, ShardedMap>;
        using Inner = std::conditional_t<Const, typename Shard::const_iterator, typename Shard::iterator>;

    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = typename Shard::value_type;
        using difference_type = std::ptrdiff_t;
        using reference = std::conditional_t<Const, const value_type&, value_type&>;
        using pointer = std::conditional_t<Const, const value_type*, value_type*>;

        Iter() = default;
        Iter(Owner* m, std::size_t shard, Inner it) : m_(m), shard_(shard), it_(it) { settle(); }
        template <bool C = Const, std::enable_if_t<C, int> = 0>
        Iter(const Iter<false>& o) : m_(o.m_), shard_(o.shard_), it_(o.it_) {}

        reference operator*() const { return *it_; }
        pointer operator->() const { return &*it_; }
        Iter& operator++() {
            ++it_;
            settle();
            return *this;
        }
        Iter operator++(int) {
            Iter before = *this;
            ++*this;
            return before;
        }
        // Iterators of one map; end() is the shard past the last (its inner iterator unused).
        friend bool operator==(const Iter& a, const Iter& b) {
            return a.shard_ == b.shard_ && (a.shard_ == kShards || a.it_ == b.it_);
        }
        friend bool operator!=(const Iter& a, const Iter& b) { return !(a == b); }

    private:
        friend class ShardedMap;
        friend class Iter<!Const>;
        // Past the end of a shard: on to the first entry of the next non-empty one.
        void settle() {
            while (shard_ < kShards && it_ == m_->shards_[shard_].end()) {
                if (++shard_ < kShards) it_ = m_->shards_[shard_].begin();
            }
        }
        Owner* m_ = nullptr;
        std::size_t shard_ = kShards;
        Inner it_{};
    };
    using iterator = Iter<false>;
    using const_iterator = Iter<true>;

    ShardedMap() = default;
    // A copy or a move starts without a memo (the memo would point into the other map's nodes).
    ShardedMap(const ShardedMap& o) : shards_(o.shards_), size_(o.size_) {}
    ShardedMap(ShardedMap&& o) noexcept : shards_(std::move(o.shards_)), size_(o.size_) { o.clear(); }
    ShardedMap& operator=(const ShardedMap& o) {
        if (this != &o) {
            shards_ = o.shards_;
            size_ = o.size_;
            forget();
        }
        return *this;
    }
    ShardedMap& operator=(ShardedMap&& o) noexcept {
        if (this != &o) {
            shards_ = std::move(o.shards_);
            size_ = o.size_;
            forget();
            o.clear();
        }
        return *this;
    }

    iterator begin() { return iterator(this, 0, shards_[0].begin()); }
    iterator end() { return iterator(this, kShards, {}); }
    const_iterator begin() const { return const_iterator(this, 0, shards_[0].begin()); }
    const_iterator end() const { return const_iterator(this, kShards, {}); }

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

    iterator find(const std::string& key) {
        if (remembered(key)) return iterator(this, memo_shard_, memo_);
        const std::size_t s = shard_of(key);
        auto it = shards_[s].find(key);
        if (it == shards_[s].end()) return end();
        remember(s, it);
        return iterator(this, s, it);
    }
    const_iterator find(const std::string& key) const {
        const std::size_t s = shard_of(key);
        auto it = shards_[s].find(key);
        return it == shards_[s].end() ? end() : const_iterator(this, s, it);
    }
    std::size_t count(const std::string& key) const { return shards_[shard_of(key)].count(key); }

    V& at(const std::string& key) {
        auto it = find(key);
        if (it == end()) throw std::out_of_range("ShardedMap::at");
        return it->second;
    }
    const V& at(const std::string& key) const { return shards_[shard_of(key)].at(key); }

    V& operator[](const std::string& key) { return try_emplace(key).first->second; }

    template <class... Args>
    std::pair<iterator, bool> try_emplace(const std::string& key, Args&&... args) {
        if (remembered(key)) return {iterator(this, memo_shard_, memo_), false};
        const std::size_t s = shard_of(key);
        auto [it, added] = shards_[s].try_emplace(key, std::forward<Args>(args)...);
        size_ += added;
        remember(s, it);
        return {iterator(this, s, it), added};
    }

    std::size_t erase(const std::string& key) {
        forget();
        const std::size_t n = shards_[shard_of(key)].erase(key);
        size_ -= n;
        return n;
    }

    void clear() {
        forget();
        for (auto& s : shards_) s.clear();
        size_ = 0;
    }

private:
    // The shard: a multiplicative hash of the key's first and last 8 bytes and its length (ids
    // differ most in their ends: node prefixes, counters, random tails). Cheaper than hashing
    // the whole key a second time, since the shard's own table hashes it anyway.
    static std::size_t shard_of(const std::string& key) {
        std::uint64_t head = 0, tail = 0;
        const std::size_t n = key.size();
        std::memcpy(&head, key.data(), n < 8 ? n : 8);
        if (n > 8) std::memcpy(&tail, key.data() + n - 8, 8);
        const std::uint64_t h = (head ^ (tail << 32 | tail >> 32) ^ n) * 0x9E3779B97F4A7C15ull;
        return static_cast<std::size_t>(h >> 56) % kShards;
    }

    void remember(std::size_t shard, typename Shard::iterator it) {
        memo_shard_ = shard;
        memo_ = it;
    }
    void forget() { memo_shard_ = kShards; }
    bool remembered(const std::string& key) const { return memo_shard_ < kShards && memo_->first == key; }

    std::array<Shard, kShards> shards_;
    std::size_t size_ = 0;
    std::size_t memo_shard_ = kShards;  // kShards: nothing remembered
    typename Shard::iterator memo_{};
};

}  // namespace chat::router
