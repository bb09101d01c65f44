// store.hpp — (internal) how the engine keeps events: one compact record per event, per
// conversation, every string interned. Shared by engine.cpp (filling it), facts.cpp (reading
// one conversation) and report_builder.cpp (aggregating).
#pragma once

#include "engine.hpp"
#include "interner.hpp"
#include "text_store.hpp"
#include "arena.hpp"
#include "chunked_vector.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace chat::kpi::detail {

constexpr std::uint32_t none = Interner::npos;

enum class Kind : std::uint8_t {
  visitor_msg,  // a = TextStore id (none when erased)
  bot_msg,      // sub = BotOutcome, a = faq id (none when null)
  agent_msg,    // a = agent id
  handoff,
  assigned,     // a = agent id
  transferred,
  resolved,     // sub = ResolvedBy, a = agent id (none unless by agent)
  reopened,
  abandoned,    // sub = Stage
  csat,         // score
  nps,          // a = visitor id, score
  tagged,       // a = tag id
};

struct Rec {
  std::int64_t ts;
  std::uint64_t seq;
  std::uint32_t node;
  Kind kind;
  std::uint8_t sub;
  std::uint16_t spare;
  std::uint32_t a;
  float score;
};
static_assert(sizeof(Rec) == 32);

// A conversation's records live in a chain of fixed-size blocks taken from slabs.
struct Block {
  static constexpr std::uint32_t kRecs = 7;
  std::uint32_t next;   // block index, `none` at the end of the chain
  std::uint32_t count;
  Rec recs[kRecs];
};

class BlockPool {
 public:
  static constexpr std::uint32_t kPerSlab = 1u << 16;
  explicit BlockPool(Pages pages) : pages_(pages) {}
  std::uint32_t allocate() {
    if (used_ % kPerSlab == 0) slabs_.emplace_back(sizeof(Block) * kPerSlab, pages_);
    std::uint32_t id = used_++;
    Block& b = at(id);
    b.next = none;
    b.count = 0;
    return id;
  }
  Block& at(std::uint32_t id) { return reinterpret_cast<Block*>(slabs_[id / kPerSlab].data())[id % kPerSlab]; }
  const Block& at(std::uint32_t id) const {
    return reinterpret_cast<const Block*>(slabs_[id / kPerSlab].data())[id % kPerSlab];
  }

 private:
  std::vector<Slab> slabs_;
  Pages pages_;
  std::uint32_t used_ = 0;
};

struct Conv {
  std::uint32_t head = none, tail = none;  // block chain of this conversation's records
  std::uint32_t count = 0;
  Rec last{};                              // the last record added (order check)
  std::int64_t opened_ts = 0;
  std::uint64_t opened_seq = 0;
  std::uint32_t opened_node = none;
  std::uint32_t visitor = none;
  bool has_opened = false;
  bool sorted = true;
};

struct Store {
  explicit Store(Pages pages) : texts(pages), blocks(pages) {}
  Interner convs, visitors, agents, faqs, tags, nodes;
  TextStore texts;                                    // visitor message texts, as written
  std::string last_node;                              // cache: most events come from one node
  std::uint32_t last_node_id = none;
  ChunkedVector<Conv> conv;                           // by conversation id
  BlockPool blocks;
  ChunkedVector<std::vector<std::int64_t>> conversions;  // visitor.converted times, by visitor id
  bool conversions_sorted = true;
  EngineCounters counters;
  std::uint64_t records = 0;

  // The log's order (ts, node, seq); node compared as text, not by id.
  bool before(std::int64_t ts_a, std::uint32_t node_a, std::uint64_t seq_a, std::int64_t ts_b,
              std::uint32_t node_b, std::uint64_t seq_b) const {
    if (ts_a != ts_b) return ts_a < ts_b;
    if (node_a != node_b) return nodes.str(node_a) < nodes.str(node_b);
    return seq_a < seq_b;
  }
  bool before(const Rec& a, const Rec& b) const { return before(a.ts, a.node, a.seq, b.ts, b.node, b.seq); }
};

}  // namespace chat::kpi::detail
