// text_store.hpp — keeps visitor message texts as written, without de-duplication.
//
// Only the questions a bot fallback answered are ever shown, so texts are not folded or
// grouped when they arrive (that would cost a hash lookup per visitor message) but when a
// report needs them. Texts live in large chunks; an id is an index into a small entry table.
#pragma once

#include "arena.hpp"
#include "chunked_vector.hpp"

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace chat::kpi {

class TextStore {
 public:
  explicit TextStore(Pages pages) : pages_(pages) {}
  std::uint32_t add(std::string_view s);
  std::string_view str(std::uint32_t id) const { return {entries_[id].data, entries_[id].len}; }
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    const char* data;
    std::uint32_t len;
  };
  ChunkedVector<Entry> entries_;
  std::vector<Slab> chunks_;
  Pages pages_;
  char* pos_ = nullptr;
  std::size_t left_ = 0;
};

inline std::uint32_t TextStore::add(std::string_view s) {
  if (s.size() > left_) {
    std::size_t size = s.size() > (1u << 20) ? s.size() : (8u << 20);
    chunks_.emplace_back(size, pages_);
    pos_ = chunks_.back().data();
    left_ = size;
  }
  if (!s.empty()) __builtin_memcpy(pos_, s.data(), s.size());
  entries_.push_back(Entry{pos_, static_cast<std::uint32_t>(s.size())});
  pos_ += s.size();
  left_ -= s.size();
  return static_cast<std::uint32_t>(entries_.size() - 1);
}

}  // namespace chat::kpi
