// id_hash.hpp — the hash of the router's maps keyed by an id (visitor, conversation, client id).
//
// libstdc++ (GCC 12 on) finds a key in an unordered_map of at most 20 entries by comparing it
// with every entry in turn, without hashing, when the hasher is std::hash<std::string> (which
// it takes for slow to compute): a walk through up to 20 nodes, each a cache miss, and a key
// comparison at each. The router has many maps that small — every visitor's and agent's recent
// client ids, and each of ShardedMap's 256 shards until the map holds some 5,000 entries — and
// looks in them on every message. IdHash is the same hash of the same bytes under another type:
// the table then always goes straight to the key's bucket, and keeps each node's hash, compared
// before the key.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

namespace chat::router {

struct IdHash {
    // Not noexcept, on purpose: for a hasher that may throw, libstdc++ stores every node's hash
    // (erase must not hash), so a look-up compares hashes before it compares keys.
    std::size_t operator()(const std::string& s) const { return std::hash<std::string_view>{}(s); }
};

#ifdef __GLIBCXX__
// What the choice above rests on, checked where it is made (libstdc++'s own traits).
static_assert(std::__is_fast_hash<IdHash>::value, "a look-up in a small IdMap must hash, not compare every entry");
static_assert(!std::is_nothrow_invocable_v<const IdHash&, const std::string&>,
              "IdMap's nodes must keep their hash: IdHash must not be noexcept");
#endif

template <class V>
using IdMap = std::unordered_map<std::string, V, IdHash>;

}  // namespace chat::router
