// event.hpp — one event of the log, as the readers and the KPI engine see it.
//
// The log format is the public contract of docs/../shared spec "event-log.md". An Event is a
// parsed, non-owning view of one line: every string_view points into the line or into the
// parser that produced it, and stays valid only until that parser parses the next line.
// Only the fields some KPI or the server's replay needs are extracted; unknown fields are
// ignored (newer writers may add them).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace chat::kpi {

enum class EventType : std::uint8_t {
  unknown,  // a type this reader does not know (skipped with a warning)
  conversation_opened,
  message,
  note,
  handoff_requested,
  conversation_assigned,
  conversation_transferred,
  conversation_resolved,
  conversation_reopened,
  conversation_abandoned,
  csat,
  nps,
  conversation_tagged,
  offline_message,
  visitor_converted,
  agent_status,
  audit,
};

enum class Author : std::uint8_t { none, visitor, bot, agent, system, other };
enum class BotOutcome : std::uint8_t { none, answer, suggest, fallback, smalltalk, handoff, other };
enum class ResolvedBy : std::uint8_t { none, bot, agent, visitor, timeout, other };
enum class Stage : std::uint8_t { none, bot, queue, agent, other };

// The type names as written in the log ("conversation.opened", ...).
std::string_view type_name(EventType t) noexcept;
EventType type_from_name(std::string_view name) noexcept;
// The `author` and bot `outcome` values as the parser reads them (for events built in memory).
Author author_from_name(std::string_view name) noexcept;
BotOutcome outcome_from_name(std::string_view name) noexcept;
ResolvedBy resolved_by_from_name(std::string_view name) noexcept;

struct Event {
  std::int64_t ts = 0;  // ms since the Unix epoch, UTC
  std::uint64_t seq = 0;
  std::string_view node;
  EventType type = EventType::unknown;
  std::string_view type_text;  // the raw type name, also for unknown types
  std::string_view conv;       // empty when absent

  std::string_view visitor;  // conversation.opened, nps, offline.message, visitor.converted
  std::string_view agent;    // message by agent, assigned, resolved by agent, tagged, note
  Author author = Author::none;
  BotOutcome outcome = BotOutcome::none;
  ResolvedBy by = ResolvedBy::none;
  Stage stage = Stage::none;
  std::optional<std::string_view> faq;   // bot message: topic id; nullopt when null/absent
  std::optional<std::string_view> text;  // message text, unescaped; nullopt when erased (null)
  std::string_view tag;                  // conversation.tagged
  std::optional<double> score;           // csat (1..5), nps (0..10)

  // Key of the global order: readers merge by (ts, node, seq).
  friend bool order_before(const Event& a, const Event& b) noexcept {
    if (a.ts != b.ts) return a.ts < b.ts;
    if (a.node != b.node) return a.node < b.node;
    return a.seq < b.seq;
  }
};

}  // namespace chat::kpi
