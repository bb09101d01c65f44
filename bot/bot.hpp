// bot.hpp — the FAQ bot's whole public interface.
//
// A knowledge base is loaded once from a directory (settings + one file per language) into an
// immutable object that many threads may share; `decide` turns one visitor message, plus the
// conversation state the caller keeps, into a Decision the server sends and logs as a
// `message` by `bot` (faq, score, outcome). Nothing here touches sockets, clocks or globals.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace chat::bot {

enum class Lang : std::uint8_t { fr = 0, en = 1 };
enum class Outcome : std::uint8_t { answer, suggest, fallback, smalltalk, handoff };
// The event log's handoff reasons (`none` when the outcome is not a handoff).
enum class HandoffReason : std::uint8_t { none, visitor_asked, bot_fallback, negative_sentiment, complaint };

std::string_view to_string(Lang);
std::string_view to_string(Outcome);
std::string_view to_string(HandoffReason);
std::optional<Lang> parse_lang(std::string_view);  // "fr" / "en"

struct QuickReply {
    std::string label;  // button text, in the visitor's language
    std::string faq;    // topic or intent it asks for
};

// What the caller keeps between two messages of one conversation (passed in, returned updated).
struct ConversationState {
    std::optional<Lang> lang;  // language of the conversation so far; breaks ties in detection
    int fallback_streak = 0;   // fallbacks in a row just before this message
    bool priority = false;     // sticky: set once the visitor showed anger or frustration
};

struct Decision {
    std::string intent;  // topic id or conversational intent; empty means none (JSON null)
    double score = 0;    // confidence 0..1 of the best candidate
    Lang lang = Lang::fr;
    Outcome outcome = Outcome::fallback;
    std::string answer;                      // reply text, shop settings already substituted
    std::vector<QuickReply> quick_replies;   // follow-ups, suggestions or "talk to a person"
    HandoffReason handoff_reason = HandoffReason::none;
    bool priority = false;
    ConversationState next;  // state to pass with the conversation's next message
};

class KnowledgeBase;  // immutable once loaded; share it read-only between threads

struct LoadError {
    std::string file;  // path of the offending file (or the directory)
    int line = 0;      // 1-based; 0 when the problem is not tied to a line
    std::string reason;
};
std::string to_string(const LoadError&);  // "file:line: reason"

// Either a complete knowledge base or the first error found; never a half-loaded one.
using LoadResult = std::variant<std::shared_ptr<const KnowledgeBase>, LoadError>;
LoadResult load_knowledge_base(const std::filesystem::path& dir);

// Decides the reply to one visitor message. Thread-safe; only the first few KB of text are read.
Decision decide(const KnowledgeBase& kb, std::string_view text, const ConversationState& state = {});

// The visitor clicked a quick reply: answer that topic directly (fallback if unknown).
Decision choose(const KnowledgeBase& kb, std::string_view topic, const ConversationState& state = {});

// Why `decide` chose what it chose: language evidence, the words as the index saw them,
// the best candidates with their confidence. For knowledge-base authors (`chat-bot --explain`).
std::string explain(const KnowledgeBase& kb, std::string_view text, const ConversationState& state = {});

struct LintIssue {
    bool error = false;  // errors make `chat-bot --lint` fail; warnings do not
    std::string file;
    int line = 0;
    std::string message;
};
std::vector<LintIssue> lint(const KnowledgeBase& kb);

// Topic and intent ids the knowledge base defines (for reports and evaluation).
std::vector<std::string> topic_ids(const KnowledgeBase& kb);

}  // namespace chat::bot
