// chunked_vector.hpp — a growing array made of fixed-size chunks: it never moves what it holds.
//
// A std::vector doubles by copying everything into a new block. The live KPI view grows its
// tables (one entry per conversation, per visitor, per text) on the server's core thread for
// the life of the process, and at a million conversations one doubling stopped that thread
// for 150 ms (bench/RESULTS.md). Here growth adds one chunk of 2^kBits elements; elements keep
// their addresses, and indexing is a shift and a mask. Only what the engine needs: indexing,
// appending, growing (never shrinking) and iteration.
#pragma once

#include <cstddef>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace chat::kpi {

template <class T, unsigned kBits = 12>
class ChunkedVector {
  static constexpr std::size_t kChunk = std::size_t(1) << kBits;
  static constexpr std::size_t kMask = kChunk - 1;

 public:
  T& operator[](std::size_t i) { return chunks_[i >> kBits][i & kMask]; }
  const T& operator[](std::size_t i) const { return chunks_[i >> kBits][i & kMask]; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& back() { return (*this)[size_ - 1]; }
  const T& back() const { return (*this)[size_ - 1]; }
  // Bytes taken by the chunks (each is allocated whole).
  std::size_t capacity_bytes() const { return chunks_.size() * kChunk * sizeof(T); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (size_ == chunks_.size() * kChunk) add_chunk();
    T& slot = (*this)[size_++];
    slot = T(std::forward<Args>(args)...);
    return slot;
  }
  void push_back(T value) { emplace_back(std::move(value)); }
  // Grows to n elements, the new ones value-initialised (chunks are allocated that way and
  // never shrunk, so a slot not used yet is still as it was made).
  void grow_to(std::size_t n) {
    while (chunks_.size() * kChunk < n) add_chunk();
    if (n > size_) size_ = n;
  }

  template <bool Const>
  class Iter {
    using Owner = std::conditional_t<Const, const ChunkedVector, ChunkedVector>;

   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    using reference = std::conditional_t<Const, const T&, T&>;
    using pointer = std::conditional_t<Const, const T*, T*>;
    Iter(Owner* v, std::size_t i) : v_(v), i_(i) {}
    reference operator*() const { return (*v_)[i_]; }
    pointer operator->() const { return &(*v_)[i_]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    friend bool operator==(const Iter& a, const Iter& b) { return a.i_ == b.i_; }
    friend bool operator!=(const Iter& a, const Iter& b) { return a.i_ != b.i_; }

   private:
    Owner* v_;
    std::size_t i_;
  };
  Iter<false> begin() { return {this, 0}; }
  Iter<false> end() { return {this, size_}; }
  Iter<true> begin() const { return {this, 0}; }
  Iter<true> end() const { return {this, size_}; }

 private:
  void add_chunk() { chunks_.push_back(std::make_unique<T[]>(kChunk)); }

  std::vector<std::unique_ptr<T[]>> chunks_;  // its own doubling moves pointers only
  std::size_t size_ = 0;
};

}  // namespace chat::kpi
