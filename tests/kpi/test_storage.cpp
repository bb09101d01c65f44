// The KPI engine's storage: slabs and their pages (a live engine's slabs never ask for
// transparent huge pages, whose first touch zeroes 2 MB on the thread that touches it; read
// back from the kernel's own view of the mappings, /proc/self/smaps, "hg" = MADV_HUGEPAGE),
// the chunked vector that grows without moving, and the sharded interner.
#include "arena.hpp"
#include "chunked_vector.hpp"
#include "engine.hpp"
#include "interner.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

using namespace chat::kpi;

namespace {
// The VmFlags of the mapping that holds `p`; empty when none does.
std::string vm_flags(const void* p) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  std::string line;
  bool inside = false;
  while (std::getline(smaps, line)) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-') {
      inside = lo <= at && at < hi;
    } else if (inside && line.rfind("VmFlags:", 0) == 0) {
      return line.substr(8) + " ";
    }
  }
  return {};
}
}  // namespace

TEST_CASE("slabs: huge pages only when asked for", "[arena]") {
  Slab huge(8u << 20, Pages::huge), normal(8u << 20, Pages::normal);
  huge.data()[0] = 1;
  normal.data()[0] = 1;
  const std::string hf = vm_flags(huge.data()), nf = vm_flags(normal.data());
  REQUIRE_FALSE(hf.empty());
  REQUIRE_FALSE(nf.empty());
#ifdef MADV_HUGEPAGE
  CHECK(hf.find(" hg ") != std::string::npos);
#endif
  CHECK(nf.find(" hg ") == std::string::npos);
  // Zero-initialised, as the pools rely on.
  CHECK(normal.data()[(8u << 20) - 1] == 0);
  CHECK(huge.data()[4096] == 0);
}

TEST_CASE("slabs: moved, not copied", "[arena]") {
  Slab a(1u << 20, Pages::normal);
  char* p = a.data();
  Slab b(std::move(a));
  CHECK(b.data() == p);
  CHECK(a.data() == nullptr);
  CHECK(b.size() == (1u << 20));
}

TEST_CASE("engine: a live engine on normal pages reports as a batch one", "[arena]") {
  // Enough conversations and texts to fill more than one slab of records and of texts.
  Engine live(Pages::normal), batch;
  const std::string text(100, 'q');
  for (int i = 0; i < 80000; ++i) {
    const std::string c = "c" + std::to_string(i), ts = std::to_string(1000000 + i * 10);
    const std::string lines[] = {
        R"({"conv":")" + c + R"(","lang":"en","node":"n","seq":1,"ts":)" + ts + R"(,"type":"conversation.opened","v":1,"visitor":"v)" + std::to_string(i % 500) + R"("})",
        R"({"author":"visitor","conv":")" + c + R"(","msg":"m)" + std::to_string(i) + R"(","node":"n","seq":2,"text":")" + text + R"(","ts":)" + ts + R"(,"type":"message","v":1})",
    };
    for (const auto& l : lines) {
      live.add_line(l);
      batch.add_line(l);
    }
  }
  CHECK(live.conversations_stored() == 80000);
  CHECK(live.events_stored() == 80000);
  CHECK(live.counters().used == 160000);
  CHECK(live.counters().invalid == 0);
  ReportOptions all;
  CHECK(to_json(live.report(all)) == to_json(batch.report(all)));
}

TEST_CASE("chunked vector: grows without moving what it holds", "[storage]") {
  ChunkedVector<std::string, 4> v;  // chunks of 16
  CHECK(v.empty());
  std::vector<const std::string*> where;
  for (int i = 0; i < 1000; ++i) {
    v.emplace_back("s" + std::to_string(i));
    where.push_back(&v.back());
  }
  REQUIRE(v.size() == 1000);
  for (int i = 0; i < 1000; ++i) {
    CHECK(v[static_cast<std::size_t>(i)] == "s" + std::to_string(i));
    CHECK(where[static_cast<std::size_t>(i)] == &v[static_cast<std::size_t>(i)]);
  }
  int n = 0;
  for (const auto& s : v) CHECK(s == "s" + std::to_string(n++));
  CHECK(n == 1000);
  // Growing gives value-initialised slots; size only goes up.
  ChunkedVector<int, 3> g;
  g.grow_to(20);
  CHECK(g.size() == 20);
  for (std::size_t i = 0; i < 20; ++i) CHECK(g[i] == 0);
  g[19] = 7;
  g.grow_to(5);
  CHECK(g.size() == 20);
  g.push_back(8);
  CHECK(g[19] == 7);
  CHECK(g.back() == 8);
  CHECK(g.capacity_bytes() == 24 * sizeof(int));
}

TEST_CASE("interner: dense ids in order of appearance, across every shard's growth", "[storage]") {
  Interner in;
  for (std::uint32_t i = 0; i < 300000; ++i) REQUIRE(in.intern("conv-" + std::to_string(i)) == i);
  CHECK(in.size() == 300000);
  for (std::uint32_t i = 0; i < 300000; i += 7) {
    const std::string s = "conv-" + std::to_string(i);
    CHECK(in.intern(s) == i);
    CHECK(in.find(s) == i);
    CHECK(in.str(i) == s);
  }
  CHECK(in.size() == 300000);
  CHECK(in.find("conv-300000") == Interner::npos);
  CHECK(in.find("") == Interner::npos);
  CHECK(in.intern("") == 300000);
  CHECK(in.find("") == 300000);
  CHECK(in.memory_bytes() > 300000 * 16);
}
