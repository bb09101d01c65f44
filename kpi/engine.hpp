// engine.hpp — the KPI engine: one implementation for chat-kpi (batch) and the server (live).
//
// Feed it events in any order — chat-kpi streams the log files, the server calls add_line()
// with each line it appends (and with every line it replays at start) — then ask for a
// report as often as needed. Events are kept in a compact form (about 32 bytes each, strings
// interned), grouped per conversation and sorted by (ts, node, seq) when a report needs them,
// so the result depends only on the set of events, never on the order they came in.
//
// Not thread-safe: call add*/report from one thread (the server: its log strand). report()
// costs a pass over the stored events of the selected conversations.
#pragma once

#include "arena.hpp"
#include "event.hpp"
#include "report.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace chat::kpi {

class EventParser;
namespace detail {
struct Store;
}

enum class AddResult {
  used,          // stored: some KPI depends on it
  ignored,       // known type no KPI uses (note, agent.status, audit, offline.message...)
  unknown_type,  // a type this version does not know
  invalid,       // not a valid event line
};

// One conversation's figures, for chat-kpi --csv.
struct ConversationRow {
  std::string_view conversation;
  std::string_view visitor;
  std::int64_t opened_ms = 0;
  std::optional<std::int64_t> first_response_ms;
  std::optional<std::int64_t> agent_first_response_ms;
  std::optional<std::int64_t> queue_wait_ms;  // first handoff to the next assignment
  std::optional<std::int64_t> resolution_ms;
  std::string_view resolved_by;               // "" when never resolved
  std::optional<bool> fcr;                    // only for resolved conversations
  std::optional<double> csat;                 // last CSAT score
};

struct EngineCounters {
  std::uint64_t used = 0, ignored = 0, unknown_type = 0, invalid = 0;
};

class Engine {
 public:
  // `pages`: how the record slabs take memory (arena.hpp). Huge for a batch run; a live view
  // on a latency-bound thread takes normal pages, so that no single event pays for zeroing 2 MB.
  explicit Engine(Pages pages = Pages::huge);
  ~Engine();
  Engine(Engine&&) noexcept;
  Engine& operator=(Engine&&) noexcept;

  // Parses one line (without or with its trailing '\n') and adds it.
  AddResult add_line(std::string_view line);
  // Adds an already parsed event; its string views may die right after the call.
  AddResult add(const Event& event);

  Report report(const ReportOptions& options);
  // Calls `row` for every selected conversation, in order of opening.
  void for_each_conversation(const ReportOptions& options,
                             const std::function<void(const ConversationRow&)>& row);

  const EngineCounters& counters() const;
  std::size_t conversations_stored() const;
  std::size_t events_stored() const;

 private:
  std::unique_ptr<detail::Store> store_;
  std::unique_ptr<EventParser> parser_;
};

}  // namespace chat::kpi
