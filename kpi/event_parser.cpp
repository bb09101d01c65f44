// event_parser.cpp — the one place that reads the JSON of an event (simdjson On-Demand).
//
// Every field of the object is visited once, in whatever order the writer put them; keys are
// matched on their raw bytes (event keys never need escaping) and unknown keys are skipped.
// Message texts are kept as raw tokens and unescaped lazily: only visitor messages need them
// (for the unanswered questions), and bot answers can be long.
#include "event_parser.hpp"
#include "text_fold.hpp"

#include <simdjson.h>

#include <cstring>

namespace chat::kpi {

namespace od = simdjson::ondemand;

namespace {

struct TypeName {
  std::string_view name;
  EventType type;
};
constexpr TypeName kTypes[] = {
    {"conversation.opened", EventType::conversation_opened},
    {"message", EventType::message},
    {"note", EventType::note},
    {"handoff.requested", EventType::handoff_requested},
    {"conversation.assigned", EventType::conversation_assigned},
    {"conversation.transferred", EventType::conversation_transferred},
    {"conversation.resolved", EventType::conversation_resolved},
    {"conversation.reopened", EventType::conversation_reopened},
    {"conversation.abandoned", EventType::conversation_abandoned},
    {"csat", EventType::csat},
    {"nps", EventType::nps},
    {"conversation.tagged", EventType::conversation_tagged},
    {"offline.message", EventType::offline_message},
    {"visitor.converted", EventType::visitor_converted},
    {"agent.status", EventType::agent_status},
    {"audit", EventType::audit},
};

Author author_from(std::string_view s) {
  if (s == "visitor") return Author::visitor;
  if (s == "bot") return Author::bot;
  if (s == "agent") return Author::agent;
  if (s == "system") return Author::system;
  return Author::other;
}
BotOutcome outcome_from(std::string_view s) {
  if (s == "answer") return BotOutcome::answer;
  if (s == "fallback") return BotOutcome::fallback;
  if (s == "suggest") return BotOutcome::suggest;
  if (s == "smalltalk") return BotOutcome::smalltalk;
  if (s == "handoff") return BotOutcome::handoff;
  return BotOutcome::other;
}
ResolvedBy by_from(std::string_view s) {
  if (s == "bot") return ResolvedBy::bot;
  if (s == "agent") return ResolvedBy::agent;
  if (s == "visitor") return ResolvedBy::visitor;
  if (s == "timeout") return ResolvedBy::timeout;
  return ResolvedBy::other;
}
Stage stage_from(std::string_view s) {
  if (s == "bot") return Stage::bot;
  if (s == "queue") return Stage::queue;
  if (s == "agent") return Stage::agent;
  return Stage::other;
}

// Types whose events belong to a conversation and are useless without `conv`.
bool needs_conv(EventType t) {
  switch (t) {
    case EventType::conversation_opened:
    case EventType::message:
    case EventType::handoff_requested:
    case EventType::conversation_assigned:
    case EventType::conversation_transferred:
    case EventType::conversation_resolved:
    case EventType::conversation_reopened:
    case EventType::conversation_abandoned:
    case EventType::csat:
    case EventType::conversation_tagged:
      return true;
    default:
      return false;
  }
}

// Raw key bytes: raw_json_string points just after the opening quote.
inline bool key_is(const char* raw, std::string_view k) {
  return std::memcmp(raw, k.data(), k.size()) == 0 && raw[k.size()] == '"';
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool hex4(std::string_view s, std::size_t i, std::uint32_t& v) {
  if (i + 4 > s.size()) return false;
  v = 0;
  for (std::size_t k = i; k < i + 4; ++k) {
    char c = s[k];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= std::uint32_t(c - '0');
    else if (c >= 'a' && c <= 'f') v |= std::uint32_t(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= std::uint32_t(c - 'A' + 10);
    else return false;
  }
  return true;
}

}  // namespace

std::string_view type_name(EventType t) noexcept {
  for (const auto& e : kTypes)
    if (e.type == t) return e.name;
  return "unknown";
}

EventType type_from_name(std::string_view name) noexcept {
  for (const auto& e : kTypes)
    if (e.name == name) return e.type;
  return EventType::unknown;
}

Author author_from_name(std::string_view name) noexcept { return author_from(name); }
BotOutcome outcome_from_name(std::string_view name) noexcept { return outcome_from(name); }
ResolvedBy resolved_by_from_name(std::string_view name) noexcept { return by_from(name); }

bool unescape_json_string(std::string_view tok, std::string& out) {
  out.clear();
  if (tok.size() < 2 || tok.front() != '"' || tok.back() != '"') return false;
  std::string_view s = tok.substr(1, tok.size() - 2);
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i >= s.size()) return false;
    switch (s[i]) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case '/': out.push_back('/'); break;
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        std::uint32_t cp;
        if (!hex4(s, i + 1, cp)) return false;
        i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          std::uint32_t lo;
          if (i + 2 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u' && hex4(s, i + 3, lo) &&
              lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            i += 6;
          } else {
            cp = 0xFFFD;  // lone surrogate
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
        }
        put_utf8(out, cp);
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

struct EventParser::Impl {
  od::parser parser;
  std::string scratch;  // padded copy of the current line when needed
  std::string text;     // unescaped message text
};

EventParser::EventParser() : impl_(std::make_unique<Impl>()) {}
EventParser::~EventParser() = default;

ParseStatus EventParser::parse(std::string_view line, Event& ev, bool padded) {
  ev = Event{};
  const char* buf = line.data();
  std::size_t cap = line.size() + simdjson::SIMDJSON_PADDING;
  if (!padded) {
    auto& s = impl_->scratch;
    if (s.size() < cap) s.resize(cap);
    std::memcpy(s.data(), line.data(), line.size());
    buf = s.data();
  }
  od::document doc;
  if (impl_->parser.iterate(buf, line.size(), cap).get(doc)) return ParseStatus::invalid;
  od::object obj;
  if (doc.get_object().get(obj)) return ParseStatus::invalid;

  bool has_ts = false, has_seq = false, has_node = false, has_type = false;
  std::string_view text_token;
  bool text_seen = false;

  for (auto field_result : obj) {
    od::field field;
    if (std::move(field_result).get(field)) return ParseStatus::invalid;
    const char* k = field.key().raw();
    od::value val = field.value();
    std::string_view sv;
    switch (k[0]) {
      case 't':
        if (key_is(k, "ts")) {
          if (val.get_int64().get(ev.ts)) return ParseStatus::invalid;
          has_ts = true;
        } else if (key_is(k, "type")) {
          if (val.get_string().get(ev.type_text)) return ParseStatus::invalid;
          ev.type = type_from_name(ev.type_text);
          has_type = true;
        } else if (key_is(k, "text")) {
          text_token = trim_right(val.raw_json_token());
          text_seen = true;
        } else if (key_is(k, "tag")) {
          if (!val.get_string().get(sv)) ev.tag = sv;
        }
        break;
      case 's':
        if (key_is(k, "seq")) {
          if (val.get_uint64().get(ev.seq)) return ParseStatus::invalid;
          has_seq = true;
        } else if (key_is(k, "score")) {
          double d;
          if (!val.get_double().get(d)) ev.score = d;
        } else if (key_is(k, "stage")) {
          if (!val.get_string().get(sv)) ev.stage = stage_from(sv);
        }
        break;
      case 'n':
        if (key_is(k, "node")) {
          if (val.get_string().get(ev.node)) return ParseStatus::invalid;
          has_node = true;
        }
        break;
      case 'c':
        if (key_is(k, "conv")) {
          if (!val.get_string().get(sv)) ev.conv = sv;
        }
        break;
      case 'v':
        if (key_is(k, "visitor")) {
          if (!val.get_string().get(sv)) ev.visitor = sv;
        }
        break;
      case 'a':
        if (key_is(k, "author")) {
          if (!val.get_string().get(sv)) ev.author = author_from(sv);
        } else if (key_is(k, "agent")) {
          if (!val.get_string().get(sv)) ev.agent = sv;
        }
        break;
      case 'f':
        if (key_is(k, "faq")) {
          if (!val.get_string().get(sv)) ev.faq = sv;
        }
        break;
      case 'o':
        if (key_is(k, "outcome")) {
          if (!val.get_string().get(sv)) ev.outcome = outcome_from(sv);
        }
        break;
      case 'b':
        if (key_is(k, "by")) {
          if (!val.get_string().get(sv)) ev.by = by_from(sv);
        }
        break;
      default:
        break;
    }
  }
  // The object must be complete and nothing may follow it on the line.
  if (doc.current_location().error() != simdjson::OUT_OF_BOUNDS) return ParseStatus::invalid;
  if (!has_ts || !has_seq || !has_node || !has_type) return ParseStatus::invalid;
  if (ev.type == EventType::unknown) return ParseStatus::unknown_type;
  if (needs_conv(ev.type) && ev.conv.empty()) return ParseStatus::invalid;

  // A text that is not a JSON string (null once erased, or an unreadable encrypted form)
  // stays nullopt: it still counts, it is just not shown.
  if (text_seen && ev.type == EventType::message && ev.author == Author::visitor &&
      !text_token.empty() && text_token.front() == '"') {
    std::string_view body = text_token.substr(1, text_token.size() - 2);
    if (text_token.size() >= 2 && body.find('\\') == std::string_view::npos) {
      ev.text = body;
    } else if (unescape_json_string(text_token, impl_->text)) {
      ev.text = std::string_view(impl_->text);
    } else {
      return ParseStatus::invalid;
    }
  }
  return ParseStatus::ok;
}

}  // namespace chat::kpi
