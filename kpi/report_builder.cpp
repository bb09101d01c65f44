// report_builder.cpp — Engine::report() and Engine::for_each_conversation(): selects the
// conversations of the window, adds up their facts, and computes the figures that need more
// than one conversation (FCR's "visitor came back", NPS per visitor, conversion per visitor).
//
// Interpretations (all written down in docs/kpi.md):
// - selection: conversation.opened time in [from, to); later events of a selected
//   conversation count wherever they fall; a visitor's other conversations (FCR) and
//   purchases (conversion) are looked up in the whole log, not only in the window.
// - resolved: at least one conversation.resolved.
// - FCR: resolved, never reopened, and no other conversation of the same visitor opened in
//   (last resolution, last resolution + window].
// - conversion: a visitor.converted at t with opened <= t <= opened + 7 days, for one of the
//   visitor's selected conversations; split by that conversation's outcome: resolved without
//   handoff = bot_resolved, resolved after a handoff = agent_resolved, else unresolved. Each
//   split is a share of the visitors having at least one conversation with that outcome.
#include "engine.hpp"
#include "facts.hpp"
#include "store.hpp"
#include "text_fold.hpp"
#include "time_text.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace chat::kpi {

using namespace detail;

namespace {

constexpr std::int64_t kConversionWindowMs = 7LL * 86'400'000;

bool selected(const Conv& c, const ReportOptions& o) {
  if (!c.has_opened) return false;
  if (o.from_ms && c.opened_ts < *o.from_ms) return false;
  if (o.to_ms && c.opened_ts >= *o.to_ms) return false;
  return true;
}

std::optional<double> rate(std::uint64_t num, std::uint64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

// Every conversation's opening, grouped by visitor (CSR layout), for "did the visitor come
// back"; plus each visitor's purchase times, sorted.
struct VisitorIndex {
  std::vector<std::uint32_t> offset;  // visitor -> first index in ts/conv
  std::vector<std::int64_t> ts;
  std::vector<std::uint32_t> conv;

  VisitorIndex(Store& s) {
    std::size_t nv = s.visitors.size();
    offset.assign(nv + 1, 0);
    for (const Conv& c : s.conv)
      if (c.has_opened) ++offset[c.visitor + 1];
    for (std::size_t v = 0; v < nv; ++v) offset[v + 1] += offset[v];
    ts.resize(offset[nv]);
    conv.resize(offset[nv]);
    std::vector<std::uint32_t> fill(offset.begin(), offset.end() - 1);
    for (std::uint32_t id = 0; id < s.conv.size(); ++id) {
      const Conv& c = s.conv[id];
      if (!c.has_opened) continue;
      std::uint32_t at = fill[c.visitor]++;
      ts[at] = c.opened_ts;
      conv[at] = id;
    }
    for (std::size_t v = 0; v < nv; ++v) {
      std::uint32_t b = offset[v], e = offset[v + 1];
      if (e - b < 2) continue;
      std::vector<std::pair<std::int64_t, std::uint32_t>> tmp;
      for (std::uint32_t i = b; i < e; ++i) tmp.emplace_back(ts[i], conv[i]);
      std::sort(tmp.begin(), tmp.end());
      for (std::uint32_t i = b; i < e; ++i) ts[i] = tmp[i - b].first, conv[i] = tmp[i - b].second;
    }
    if (!s.conversions_sorted) {
      for (auto& t : s.conversions) std::sort(t.begin(), t.end());
      s.conversions_sorted = true;
    }
  }

  // Another conversation of `visitor` opened in (after, after + window].
  bool came_back(std::uint32_t visitor, std::uint32_t self, std::int64_t after, std::int64_t window) const {
    auto b = ts.begin() + offset[visitor], e = ts.begin() + offset[visitor + 1];
    for (auto it = std::upper_bound(b, e, after); it != e && *it - after <= window; ++it)
      if (conv[static_cast<std::size_t>(it - ts.begin())] != self) return true;
    return false;
  }
};

bool converted_after(const Store& s, std::uint32_t visitor, std::int64_t opened) {
  if (visitor >= s.conversions.size()) return false;
  const auto& t = s.conversions[visitor];
  auto it = std::lower_bound(t.begin(), t.end(), opened);
  return it != t.end() && *it - opened <= kConversionWindowMs;
}

bool fcr_of(const Facts& f, const Conv& c, std::uint32_t id, const VisitorIndex& vi, const ReportOptions& o) {
  return f.resolved && !f.reopened && !vi.came_back(c.visitor, id, f.last_resolved_ts, o.fcr_window_ms);
}

struct AgentAcc {
  std::uint64_t assigned = 0, resolved = 0;
  std::vector<std::int64_t> first_responses;
  double csat_sum = 0;
  std::uint64_t csat_n = 0;
  bool seen = false;
};

enum ConvBits : std::uint8_t {
  seen_all = 1, hit_all = 2, seen_bot = 4, hit_bot = 8, seen_agent = 16, hit_agent = 32,
  seen_unres = 64, hit_unres = 128,
};

}  // namespace

Report Engine::report(const ReportOptions& o) {
  Store& s = *store_;
  VisitorIndex vi(s);
  Report r;
  Facts f;

  std::vector<std::int64_t> first_resp, agent_first, resp_bot, resp_agent, queue, resolution;
  std::uint64_t resolved = 0, contained = 0, fcr = 0, handoffs = 0, answered = 0, sla_ok = 0;
  std::uint64_t abandoned = 0, assigned = 0, transferred = 0;
  std::uint64_t csat_n = 0, csat_satisfied = 0;
  double csat_sum = 0;
  std::vector<AgentAcc> agents(s.agents.size());
  std::vector<std::uint64_t> faq_answers(s.faqs.size() + 1, 0);  // last slot: faq null
  std::unordered_map<std::string, std::uint64_t> question_counts;  // folded text -> fallbacks
  std::uint64_t erased_questions = 0;
  std::string folded;
  std::vector<std::uint64_t> tag_counts(s.tags.size(), 0);
  std::vector<std::uint8_t> visitor_bits(s.visitors.size(), 0);
  std::vector<NpsVote> best_vote(s.visitors.size(), NpsVote{0, none, 0, none, 0});
  std::map<std::int64_t, std::uint64_t> by_day;
  std::map<std::int64_t, Report::Day> daily;
  auto bucket = [](std::int64_t ms) {
    std::size_t b = 0;
    while (b < Report::kHistogramBoundsMs.size() && ms > Report::kHistogramBoundsMs[b]) ++b;
    return b;
  };
  auto slot = [](std::uint32_t id, std::size_t null_slot) { return id == none ? null_slot : id; };

  for (std::uint32_t id = 0; id < s.conv.size(); ++id) {
    Conv& c = s.conv[id];
    if (!selected(c, o)) continue;
    compute_facts(s, c, f);
    ++r.conversations;
    ++r.by_hour[static_cast<std::size_t>(hour_of_day(c.opened_ts))];
    std::int64_t day = c.opened_ts >= 0 ? c.opened_ts / 86'400'000 : -((-c.opened_ts + 86'399'999) / 86'400'000);
    ++by_day[day];
    Report::Day& today = daily[day];
    ++today.conversations;

    if (f.first_response) {
      first_resp.push_back(*f.first_response);
      ++r.first_response_histogram[bucket(*f.first_response)];
    }
    resp_bot.insert(resp_bot.end(), f.response_bot.begin(), f.response_bot.end());
    resp_agent.insert(resp_agent.end(), f.response_agent.begin(), f.response_agent.end());
    queue.insert(queue.end(), f.queue_waits.begin(), f.queue_waits.end());

    if (f.has_handoff) {
      ++handoffs;
      if (f.abandoned_in_queue) ++abandoned;
      if (f.agent_first_response) {
        ++answered;
        agent_first.push_back(*f.agent_first_response);
        ++r.agent_first_response_histogram[bucket(*f.agent_first_response)];
        if (*f.agent_first_response <= o.sla_target_ms) ++sla_ok;
        if (f.first_response_agent != none) {
          auto& a = agents[f.first_response_agent];
          a.seen = true;
          a.first_responses.push_back(*f.agent_first_response);
        }
      } else {
        ++r.unanswered_handoffs;
      }
    }
    if (f.resolved) {
      ++resolved;
      resolution.push_back(f.last_resolved_ts - c.opened_ts);
      if (!f.has_handoff) ++contained;
      ++today.resolved;
      if (fcr_of(f, c, id, vi, o)) ++fcr, ++today.fcr;
    }
    if (f.assigned) {
      ++assigned;
      if (f.transferred) ++transferred;
    }
    if (f.csat) {
      ++csat_n;
      csat_sum += *f.csat;
      if (*f.csat >= 4) ++csat_satisfied;
      ++today.csat_count;
      today.csat_sum += *f.csat;
      if (f.last_assigned_agent != none) {
        auto& a = agents[f.last_assigned_agent];
        a.seen = true;
        a.csat_sum += *f.csat;
        ++a.csat_n;
      }
    }
    for (auto a : f.assigned_agents) ++agents[a].assigned, agents[a].seen = true;
    for (auto a : f.resolved_agents) ++agents[a].resolved, agents[a].seen = true;
    for (auto q : f.answered_faqs) ++faq_answers[slot(q, s.faqs.size())];
    for (auto t : f.unanswered_texts) {
      if (t == none) {
        ++erased_questions;
      } else {
        fold_text(s.texts.str(t), folded);
        ++question_counts[folded];
      }
    }
    for (auto t : f.tags) ++tag_counts[t];
    for (const auto& v : f.nps) {
      auto& b = best_vote[v.visitor];
      if (b.node == none || !s.before(v.ts, v.node, v.seq, b.ts, b.node, b.seq)) b = v;
    }

    // Conversion after chat, per visitor and per outcome of the conversation.
    bool hit = converted_after(s, c.visitor, c.opened_ts);
    std::uint8_t seen_bit = !f.resolved ? seen_unres : f.has_handoff ? seen_agent : seen_bot;
    std::uint8_t& bits = visitor_bits[c.visitor];
    bits |= seen_all | seen_bit;
    if (hit) bits |= hit_all | static_cast<std::uint8_t>(seen_bit << 1);
  }

  r.first_response_ms = summarize(first_resp);
  r.agent_first_response_ms = summarize(agent_first);
  r.response_ms_bot = summarize(resp_bot);
  r.response_ms_agent = summarize(resp_agent);
  r.queue_wait_ms = summarize(queue);
  r.resolution_ms = summarize(resolution);

  r.fcr_rate = rate(fcr, resolved);
  r.bot_containment_rate = rate(contained, resolved);
  r.handoff_rate = rate(handoffs, r.conversations);
  r.abandonment_rate = rate(abandoned, handoffs);
  r.transfer_rate = rate(transferred, assigned);
  r.sla_rate = rate(sla_ok, answered);

  r.csat.count = csat_n;
  if (csat_n) {
    r.csat.mean = csat_sum / static_cast<double>(csat_n);
    r.csat.satisfied_rate = rate(csat_satisfied, csat_n);
  }

  std::uint64_t voters = 0, promoters = 0, detractors = 0;
  for (const auto& b : best_vote) {
    if (b.node == none) continue;
    ++voters;
    if (b.score >= 9) ++promoters;
    else if (b.score <= 6) ++detractors;
  }
  r.nps.count = voters;
  if (voters)
    r.nps.score = (static_cast<double>(promoters) - static_cast<double>(detractors)) * 100.0 /
                  static_cast<double>(voters);

  for (std::uint32_t a = 0; a < agents.size(); ++a) {
    auto& acc = agents[a];
    if (!acc.seen) continue;
    AgentRow row;
    row.agent = std::string(s.agents.str(a));
    row.assigned = acc.assigned;
    row.resolved = acc.resolved;
    row.first_response_p50_ms = percentile(acc.first_responses, 50);
    if (acc.csat_n) row.csat_mean = acc.csat_sum / static_cast<double>(acc.csat_n);
    r.agents.push_back(std::move(row));
  }
  std::sort(r.agents.begin(), r.agents.end(), [](const AgentRow& x, const AgentRow& y) { return x.agent < y.agent; });

  for (std::size_t q = 0; q < faq_answers.size(); ++q) {
    if (!faq_answers[q]) continue;
    TopicRow t;
    if (q < s.faqs.size()) t.faq = std::string(s.faqs.str(static_cast<std::uint32_t>(q)));
    t.answers = faq_answers[q];
    r.topics.push_back(std::move(t));
  }
  std::sort(r.topics.begin(), r.topics.end(), [](const TopicRow& x, const TopicRow& y) {
    return x.answers != y.answers ? x.answers > y.answers : x.faq < y.faq;
  });

  for (auto& [text, count] : question_counts) r.unanswered.push_back(UnansweredRow{text, count});
  if (erased_questions) r.unanswered.push_back(UnansweredRow{std::nullopt, erased_questions});
  std::sort(r.unanswered.begin(), r.unanswered.end(), [](const UnansweredRow& x, const UnansweredRow& y) {
    return x.count != y.count ? x.count > y.count : x.text < y.text;
  });
  if (o.unanswered_limit && r.unanswered.size() > o.unanswered_limit) r.unanswered.resize(o.unanswered_limit);

  for (std::uint32_t t = 0; t < tag_counts.size(); ++t)
    if (tag_counts[t]) r.tags.push_back(TagRow{std::string(s.tags.str(t)), tag_counts[t]});
  std::sort(r.tags.begin(), r.tags.end(), [](const TagRow& x, const TagRow& y) {
    return x.conversations != y.conversations ? x.conversations > y.conversations : x.tag < y.tag;
  });

  std::uint64_t n[8] = {};
  for (auto bits : visitor_bits)
    for (int k = 0; k < 8; ++k)
      if (bits & (1u << k)) ++n[k];
  r.conversion_rate.all = rate(n[1], n[0]);
  r.conversion_rate.bot_resolved = rate(n[3], n[2]);
  r.conversion_rate.agent_resolved = rate(n[5], n[4]);
  r.conversion_rate.unresolved = rate(n[7], n[6]);

  for (const auto& [day, count] : by_day) r.by_day[format_day(day * 86'400'000)] = count;
  for (const auto& [day, figures] : daily) r.daily[format_day(day * 86'400'000)] = figures;

  r.counts.resolved = resolved;
  r.counts.handoffs = handoffs;
  r.counts.assigned = assigned;
  r.counts.answered_handoffs = answered;
  r.counts.visitors = n[0];
  return r;
}

void Engine::for_each_conversation(const ReportOptions& o,
                                   const std::function<void(const ConversationRow&)>& fn) {
  Store& s = *store_;
  VisitorIndex vi(s);
  std::vector<std::uint32_t> ids;
  for (std::uint32_t id = 0; id < s.conv.size(); ++id)
    if (selected(s.conv[id], o)) ids.push_back(id);
  std::sort(ids.begin(), ids.end(), [&](std::uint32_t a, std::uint32_t b) {
    const Conv &x = s.conv[a], &y = s.conv[b];
    return s.before(x.opened_ts, x.opened_node, x.opened_seq, y.opened_ts, y.opened_node, y.opened_seq);
  });
  static constexpr std::string_view kBy[] = {"", "bot", "agent", "visitor", "timeout", "other"};
  Facts f;
  for (auto id : ids) {
    Conv& c = s.conv[id];
    compute_facts(s, c, f);
    ConversationRow row;
    row.conversation = s.convs.str(id);
    row.visitor = s.visitors.str(c.visitor);
    row.opened_ms = c.opened_ts;
    row.first_response_ms = f.first_response;
    row.agent_first_response_ms = f.agent_first_response;
    row.queue_wait_ms = f.first_queue_wait;
    if (f.resolved) {
      row.resolution_ms = f.last_resolved_ts - c.opened_ts;
      row.resolved_by = kBy[static_cast<std::size_t>(f.last_resolved_by)];
      row.fcr = fcr_of(f, c, id, vi, o);
    }
    if (f.csat) row.csat = *f.csat;
    fn(row);
  }
}

}  // namespace chat::kpi
