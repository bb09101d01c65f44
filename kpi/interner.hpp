// interner.hpp — maps strings (conversation, visitor, agent ids, texts...) to dense 32-bit ids.
//
// The KPI engine keeps one compact record per event; every string in it is an id from an
// Interner. Strings are copied once into large chunks (stable addresses, no per-string
// allocation) and found again through open-addressing tables keyed by a 64-bit hash. The
// tables are kShards, chosen by bits of the hash, each growing on its own: the live KPI view
// interns every conversation and visitor id on the server's core thread, and one table
// doubling at a million ids stopped it for tens of milliseconds.
#pragma once

#include <cstdint>
#include <array>
#include <memory>
#include <string_view>
#include <vector>

#include "chunked_vector.hpp"

namespace chat::kpi {

class Interner {
 public:
  static constexpr std::uint32_t npos = 0xFFFFFFFFu;

  Interner();
  // Id of `s`, adding it when new. Ids are 0, 1, 2... in order of first appearance.
  std::uint32_t intern(std::string_view s);
  // Id of `s` or npos.
  std::uint32_t find(std::string_view s) const;
  std::string_view str(std::uint32_t id) const { return entries_[id].view(); }
  std::size_t size() const { return entries_.size(); }
  std::size_t memory_bytes() const;

 private:
  struct Entry {
    const char* data;
    std::uint32_t len;
    std::uint32_t hash_lo;  // lower hash bits, to grow the table without rehashing
    std::string_view view() const { return {data, len}; }
  };
  static constexpr std::size_t kShards = 64;
  static std::uint64_t hash(std::string_view s);
  // Bits 24-29: the slot index uses the low bits, the tag the upper 32.
  static std::size_t shard_of(std::uint64_t h) { return (h >> 24) % kShards; }
  const char* store(std::string_view s);
  void grow(std::size_t shard);

  ChunkedVector<Entry> entries_;
  // Per shard: (upper 32 hash bits << 32) | (id + 1); 0 = empty. The hash bits are compared
  // before the entry and its bytes are touched, which saves cache misses on collisions.
  std::array<std::vector<std::uint64_t>, kShards> slots_;
  std::array<std::uint32_t, kShards> used_{};  // entries per shard
  std::vector<std::unique_ptr<char[]>> chunks_;
  char* chunk_pos_ = nullptr;
  std::size_t chunk_left_ = 0;
};

}  // namespace chat::kpi
