// arena.hpp — large zero-initialised slabs from mmap, with or without transparent huge pages.
//
// The KPI engine keeps millions of small records for the life of the process and frees
// nothing until it is destroyed. Taking them from big slabs instead of malloc avoids per-
// allocation overhead and vector reallocation copies. Huge pages cut a batch run's page
// faults (a 1 GB log means hundreds of MB of records) by a factor of 512, but the first touch
// of each one zeroes 2 MB at once: on a live server's core thread that is a stall of 20-50 ms
// on a virtual machine whose memory the host backs lazily (bench/RESULTS.md), every few
// seconds of traffic. Normal pages spread the same work over 512 small faults.
#pragma once

#include <cstddef>
#include <new>
#include <utility>
#include <sys/mman.h>

namespace chat::kpi {

// huge: for a batch (chat-kpi, reports read from the log); normal: for a latency-bound thread.
enum class Pages { huge, normal };

class Slab {
 public:
  Slab() = default;
  Slab(std::size_t bytes, Pages pages) : bytes_(bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (pages == Pages::huge) ::madvise(p, bytes, MADV_HUGEPAGE);
#endif
    data_ = static_cast<char*>(p);
  }
  ~Slab() {
    if (data_) ::munmap(data_, bytes_);
  }
  Slab(Slab&& o) noexcept : data_(o.data_), bytes_(o.bytes_) { o.data_ = nullptr; }
  Slab& operator=(Slab&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  char* data() const { return data_; }
  std::size_t size() const { return bytes_; }

 private:
  char* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace chat::kpi
