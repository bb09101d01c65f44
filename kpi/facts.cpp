// facts.cpp — the per-conversation KPI definitions of event-log.md, in one pass.
//
// Order: the conversation's events sorted by (ts, node, seq) — for one node exactly the
// spec's (ts, seq); across nodes the same order the readers merge in. An event repeated with
// the same (ts, node, seq) (the same file read twice) is counted once.
#include "facts.hpp"

#include <algorithm>

namespace chat::kpi::detail {

void Facts::clear() {
  first_response.reset();
  agent_first_response.reset();
  first_response_agent = none;
  first_queue_wait.reset();
  has_handoff = resolved = reopened = abandoned_in_queue = assigned = transferred = false;
  last_resolved_ts = 0;
  last_resolved_by = ResolvedBy::none;
  csat.reset();
  last_assigned_agent = none;
  response_bot.clear();
  response_agent.clear();
  queue_waits.clear();
  assigned_agents.clear();
  resolved_agents.clear();
  answered_faqs.clear();
  unanswered_texts.clear();
  tags.clear();
  nps.clear();
  pending_handoffs.clear();
  recs.clear();
}

void compute_facts(Store& store, Conv& conv, Facts& f) {
  f.clear();
  auto& recs = f.recs;
  recs.clear();
  for (std::uint32_t b = conv.head; b != none; b = store.blocks.at(b).next) {
    const Block& blk = store.blocks.at(b);
    recs.insert(recs.end(), blk.recs, blk.recs + blk.count);
  }
  if (!conv.sorted) {  // sort once, and keep the chain sorted for later reports
    std::stable_sort(recs.begin(), recs.end(), [&](const Rec& a, const Rec& b) { return store.before(a, b); });
    std::size_t i = 0;
    for (std::uint32_t b = conv.head; b != none; b = store.blocks.at(b).next) {
      Block& blk = store.blocks.at(b);
      for (std::uint32_t k = 0; k < blk.count; ++k) blk.recs[k] = recs[i++];
    }
    conv.last = recs.back();
    conv.sorted = true;
  }

  bool seen_visitor = false, awaiting_first_response = false;
  std::int64_t first_visitor_ts = 0;
  bool seen_handoff = false, awaiting_agent = false;
  std::int64_t first_handoff_ts = 0;
  bool in_streak = false;  // a visitor message not yet answered by bot or agent
  std::int64_t streak_start = 0;
  bool has_visitor_text = false;
  std::uint32_t last_visitor_text = none;

  const Rec* prev = nullptr;
  for (const Rec& r : recs) {
    if (prev && prev->ts == r.ts && prev->node == r.node && prev->seq == r.seq) continue;
    prev = &r;
    switch (r.kind) {
      case Kind::visitor_msg:
        if (!seen_visitor) {
          seen_visitor = awaiting_first_response = true;
          first_visitor_ts = r.ts;
        }
        if (!in_streak) {
          in_streak = true;
          streak_start = r.ts;
        }
        has_visitor_text = true;
        last_visitor_text = r.a;
        break;
      case Kind::bot_msg:
      case Kind::agent_msg: {
        bool by_agent = r.kind == Kind::agent_msg;
        if (awaiting_first_response) {
          f.first_response = r.ts - first_visitor_ts;
          awaiting_first_response = false;
        }
        if (in_streak) {
          (by_agent ? f.response_agent : f.response_bot).push_back(r.ts - streak_start);
          in_streak = false;
        }
        if (by_agent) {
          if (awaiting_agent) {
            f.agent_first_response = r.ts - first_handoff_ts;
            f.first_response_agent = r.a;
            awaiting_agent = false;
          }
        } else {
          auto outcome = static_cast<BotOutcome>(r.sub);
          if (outcome == BotOutcome::answer) {
            f.answered_faqs.push_back(r.a);
          } else if (outcome == BotOutcome::fallback && has_visitor_text) {
            f.unanswered_texts.push_back(last_visitor_text);
          }
        }
        break;
      }
      case Kind::handoff:
        f.has_handoff = true;
        if (!seen_handoff) {
          seen_handoff = awaiting_agent = true;
          first_handoff_ts = r.ts;
        }
        f.pending_handoffs.push_back(r.ts);
        break;
      case Kind::assigned:
        f.assigned = true;
        for (auto h : f.pending_handoffs) {
          if (!f.first_queue_wait) f.first_queue_wait = r.ts - h;
          f.queue_waits.push_back(r.ts - h);
        }
        f.pending_handoffs.clear();
        if (r.a != none) {
          f.assigned_agents.push_back(r.a);
          f.last_assigned_agent = r.a;
        }
        break;
      case Kind::transferred:
        f.transferred = true;
        break;
      case Kind::resolved:
        f.resolved = true;
        f.last_resolved_ts = r.ts;
        f.last_resolved_by = static_cast<ResolvedBy>(r.sub);
        if (f.last_resolved_by == ResolvedBy::agent && r.a != none) f.resolved_agents.push_back(r.a);
        break;
      case Kind::reopened:
        f.reopened = true;
        break;
      case Kind::abandoned:
        if (static_cast<Stage>(r.sub) == Stage::queue) f.abandoned_in_queue = true;
        break;
      case Kind::csat:
        f.csat = r.score;
        break;
      case Kind::nps:
        f.nps.push_back(NpsVote{r.ts, r.node, r.seq, r.a != none ? r.a : conv.visitor, r.score});
        break;
      case Kind::tagged:
        if (std::find(f.tags.begin(), f.tags.end(), r.a) == f.tags.end()) f.tags.push_back(r.a);
        break;
    }
  }
}

}  // namespace chat::kpi::detail
