// facts.hpp — (internal) what one conversation contributes to the KPIs, from a single pass
// over its events in (ts, node, seq) order. Every per-conversation definition of
// event-log.md lives in facts.cpp; report_builder.cpp only adds facts up.
#pragma once

#include "store.hpp"

#include <optional>
#include <vector>

namespace chat::kpi::detail {

struct NpsVote {
  std::int64_t ts;
  std::uint32_t node;
  std::uint64_t seq;
  std::uint32_t visitor;
  float score;
};

struct Facts {
  std::optional<std::int64_t> first_response;
  std::optional<std::int64_t> agent_first_response;
  std::uint32_t first_response_agent = none;  // wrote the first agent message after the handoff
  std::optional<std::int64_t> first_queue_wait;
  bool has_handoff = false;
  bool resolved = false;  // at least one conversation.resolved
  bool reopened = false;
  bool abandoned_in_queue = false;
  bool assigned = false;
  bool transferred = false;
  std::int64_t last_resolved_ts = 0;
  ResolvedBy last_resolved_by = ResolvedBy::none;
  std::optional<float> csat;                  // last csat
  std::uint32_t last_assigned_agent = none;
  std::vector<std::int64_t> response_bot, response_agent, queue_waits;
  std::vector<std::uint32_t> assigned_agents;   // one entry per conversation.assigned
  std::vector<std::uint32_t> resolved_agents;   // one per conversation.resolved by agent
  std::vector<std::uint32_t> answered_faqs;     // one per bot answer (none = faq null)
  std::vector<std::uint32_t> unanswered_texts;  // one per bot fallback (none = erased text)
  std::vector<std::uint32_t> tags;              // distinct tags
  std::vector<NpsVote> nps;
  std::vector<std::int64_t> pending_handoffs;   // scratch
  std::vector<Rec> recs;                        // scratch: the conversation's records in order

  void clear();
};

// Sorts `conv` if needed and computes its facts into `out`.
void compute_facts(Store& store, Conv& conv, Facts& out);

}  // namespace chat::kpi::detail
