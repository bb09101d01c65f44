// interner.cpp — the string table behind the KPI engine's compact event records.
#include "interner.hpp"

#include <cstring>

namespace chat::kpi {

namespace {
constexpr std::size_t kChunk = 1 << 20;

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b) {
  __uint128_t r = static_cast<__uint128_t>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
}  // namespace

Interner::Interner() {
  for (auto& s : slots_) s.assign(16, 0);
}

std::uint64_t Interner::hash(std::string_view s) {
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
  while (n >= 8) {
    h = mix(h ^ load64(p), 0xBF58476D1CE4E5B9ull);
    p += 8;
    n -= 8;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  h = mix(h ^ tail ^ (std::uint64_t(n) << 56), 0x94D049BB133111EBull);
  return mix(h, 0x2545F4914F6CDD1Dull);
}

const char* Interner::store(std::string_view s) {
  if (s.size() > chunk_left_) {
    std::size_t size = s.size() > kChunk / 4 ? s.size() : kChunk;
    chunks_.push_back(std::make_unique_for_overwrite<char[]>(size));
    chunk_pos_ = chunks_.back().get();
    chunk_left_ = size;
  }
  char* p = chunk_pos_;
  if (!s.empty()) std::memcpy(p, s.data(), s.size());
  chunk_pos_ += s.size();
  chunk_left_ -= s.size();
  return p;
}

std::uint32_t Interner::find(std::string_view s) const {
  std::uint64_t h = hash(s);
  const std::vector<std::uint64_t>& slots = slots_[shard_of(h)];
  std::size_t mask = slots.size() - 1;
  std::uint64_t tag = h & 0xFFFFFFFF00000000ull;
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    std::uint64_t slot = slots[i];
    if (slot == 0) return npos;
    if ((slot & 0xFFFFFFFF00000000ull) != tag) continue;
    const Entry& e = entries_[std::uint32_t(slot) - 1];
    if (e.len == s.size() && std::memcmp(e.data, s.data(), s.size()) == 0) return std::uint32_t(slot) - 1;
  }
}

std::uint32_t Interner::intern(std::string_view s) {
  std::uint64_t h = hash(s);
  const std::size_t shard = shard_of(h);
  std::vector<std::uint64_t>& slots = slots_[shard];
  std::size_t mask = slots.size() - 1;
  std::uint64_t tag = h & 0xFFFFFFFF00000000ull;
  std::size_t i = h & mask;
  for (;; i = (i + 1) & mask) {
    std::uint64_t slot = slots[i];
    if (slot == 0) break;
    if ((slot & 0xFFFFFFFF00000000ull) != tag) continue;
    const Entry& e = entries_[std::uint32_t(slot) - 1];
    if (e.len == s.size() && std::memcmp(e.data, s.data(), s.size()) == 0) return std::uint32_t(slot) - 1;
  }
  auto id = static_cast<std::uint32_t>(entries_.size());
  entries_.push_back(Entry{store(s), static_cast<std::uint32_t>(s.size()), static_cast<std::uint32_t>(h)});
  slots[i] = tag | (std::uint64_t(id) + 1);
  if (++used_[shard] * 2 > slots.size()) grow(shard);
  return id;
}

void Interner::grow(std::size_t shard) {
  std::vector<std::uint64_t> slots(slots_[shard].size() * 2, 0);
  std::size_t mask = slots.size() - 1;
  for (std::uint64_t slot : slots_[shard]) {
    if (slot == 0) continue;
    const Entry& e = entries_[std::uint32_t(slot) - 1];
    std::uint64_t h = (slot & 0xFFFFFFFF00000000ull) | e.hash_lo;
    std::size_t i = h & mask;
    while (slots[i] != 0) i = (i + 1) & mask;
    slots[i] = slot;
  }
  slots_[shard].swap(slots);
}

std::size_t Interner::memory_bytes() const {
  std::size_t slots = 0;
  for (const auto& s : slots_) slots += s.capacity() * 8;
  return entries_.capacity_bytes() + slots + chunks_.size() * kChunk;
}

}  // namespace chat::kpi
