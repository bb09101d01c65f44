// engine.cpp — Engine's intake: parsed events become compact records in the Store.
//
// Nothing is computed here; all definitions live in facts.cpp and report_builder.cpp, so the
// same events give the same report whatever order they were added in.
#include "engine.hpp"

#include "event_parser.hpp"
#include "store.hpp"

namespace chat::kpi {

using namespace detail;

Engine::Engine(Pages pages) : store_(std::make_unique<Store>(pages)), parser_(std::make_unique<EventParser>()) {}
Engine::~Engine() = default;
Engine::Engine(Engine&&) noexcept = default;
Engine& Engine::operator=(Engine&&) noexcept = default;

const EngineCounters& Engine::counters() const { return store_->counters; }
std::size_t Engine::conversations_stored() const { return store_->conv.size(); }
std::size_t Engine::events_stored() const { return store_->records; }

AddResult Engine::add_line(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  Event ev;
  switch (parser_->parse(line, ev)) {
    case ParseStatus::ok:
      return add(ev);
    case ParseStatus::unknown_type:
      ++store_->counters.unknown_type;
      return AddResult::unknown_type;
    case ParseStatus::invalid:
      break;
  }
  ++store_->counters.invalid;
  return AddResult::invalid;
}

namespace {
Conv& conv_of(Store& s, std::string_view id) {
  std::uint32_t c = s.convs.intern(id);
  if (c >= s.conv.size()) s.conv.grow_to(c + 1);
  return s.conv[c];
}

void push(Store& s, Conv& c, const Rec& r) {
  if (c.sorted && c.count > 0 && s.before(r, c.last)) c.sorted = false;
  if (c.tail == none || s.blocks.at(c.tail).count == Block::kRecs) {
    std::uint32_t b = s.blocks.allocate();
    if (c.tail == none) c.head = b;
    else s.blocks.at(c.tail).next = b;
    c.tail = b;
  }
  Block& t = s.blocks.at(c.tail);
  t.recs[t.count++] = r;
  c.last = r;
  ++c.count;
  ++s.records;
}

std::uint32_t agent_id(Store& s, std::string_view a) { return a.empty() ? none : s.agents.intern(a); }
}  // namespace

AddResult Engine::add(const Event& e) {
  Store& s = *store_;
  auto used = [&] {
    ++s.counters.used;
    return AddResult::used;
  };
  auto ignored = [&] {
    ++s.counters.ignored;
    return AddResult::ignored;
  };
  auto invalid = [&] {
    ++s.counters.invalid;
    return AddResult::invalid;
  };

  switch (e.type) {
    case EventType::unknown:
      ++s.counters.unknown_type;
      return AddResult::unknown_type;
    case EventType::note:
    case EventType::offline_message:
    case EventType::agent_status:
    case EventType::audit:
      return ignored();
    case EventType::visitor_converted: {
      if (e.visitor.empty()) return invalid();
      std::uint32_t v = s.visitors.intern(e.visitor);
      if (v >= s.conversions.size()) s.conversions.grow_to(v + 1);
      auto& times = s.conversions[v];
      if (!times.empty() && e.ts < times.back()) s.conversions_sorted = false;
      times.push_back(e.ts);
      return used();
    }
    default:
      break;
  }

  if (e.conv.empty()) {
    // nps without a conversation cannot be placed in a time window; no other type gets here.
    return e.type == EventType::nps ? ignored() : invalid();
  }

  if (s.last_node_id == none || e.node != s.last_node) {
    s.last_node_id = s.nodes.intern(e.node);
    s.last_node.assign(e.node);
  }
  std::uint32_t node = s.last_node_id;
  Rec r{e.ts, e.seq, node, Kind::handoff, 0, 0, none, 0.0f};

  switch (e.type) {
    case EventType::conversation_opened: {
      if (e.visitor.empty()) return invalid();
      std::uint32_t visitor = s.visitors.intern(e.visitor);
      Conv& c = conv_of(s, e.conv);
      if (!c.has_opened || s.before(e.ts, node, e.seq, c.opened_ts, c.opened_node, c.opened_seq)) {
        c.has_opened = true;
        c.opened_ts = e.ts;
        c.opened_seq = e.seq;
        c.opened_node = node;
        c.visitor = visitor;
      }
      return used();
    }
    case EventType::message:
      switch (e.author) {
        case Author::visitor:
          r.kind = Kind::visitor_msg;
          if (e.text) r.a = s.texts.add(*e.text);
          break;
        case Author::bot:
          r.kind = Kind::bot_msg;
          r.sub = static_cast<std::uint8_t>(e.outcome);
          if (e.faq) r.a = s.faqs.intern(*e.faq);
          break;
        case Author::agent:
          r.kind = Kind::agent_msg;
          r.a = agent_id(s, e.agent);
          break;
        case Author::none:
          return invalid();
        default:  // system messages: no KPI counts them
          return ignored();
      }
      break;
    case EventType::handoff_requested:
      r.kind = Kind::handoff;
      break;
    case EventType::conversation_assigned:
      r.kind = Kind::assigned;
      r.a = agent_id(s, e.agent);
      break;
    case EventType::conversation_transferred:
      r.kind = Kind::transferred;
      break;
    case EventType::conversation_resolved:
      r.kind = Kind::resolved;
      r.sub = static_cast<std::uint8_t>(e.by);
      if (e.by == ResolvedBy::agent) r.a = agent_id(s, e.agent);
      break;
    case EventType::conversation_reopened:
      r.kind = Kind::reopened;
      break;
    case EventType::conversation_abandoned:
      r.kind = Kind::abandoned;
      r.sub = static_cast<std::uint8_t>(e.stage);
      break;
    case EventType::csat:
      if (!e.score) return invalid();
      r.kind = Kind::csat;
      r.score = static_cast<float>(*e.score);
      break;
    case EventType::nps:
      if (!e.score) return invalid();
      r.kind = Kind::nps;
      r.score = static_cast<float>(*e.score);
      if (!e.visitor.empty()) r.a = s.visitors.intern(e.visitor);
      break;
    case EventType::conversation_tagged:
      if (e.tag.empty()) return invalid();
      r.kind = Kind::tagged;
      r.a = s.tags.intern(e.tag);
      break;
    default:
      return ignored();
  }
  push(s, conv_of(s, e.conv), r);
  return used();
}

}  // namespace chat::kpi
