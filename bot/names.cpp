// names.cpp — the wire names of the bot's enums (as written in the event log and JSON).
#include "bot.hpp"
#include "kb.hpp"

namespace chat::bot {

std::string_view to_string(Lang l) { return l == Lang::fr ? "fr" : "en"; }

std::optional<Lang> parse_lang(std::string_view s) {
    if (s == "fr") return Lang::fr;
    if (s == "en") return Lang::en;
    return std::nullopt;
}

std::string_view to_string(Outcome o) {
    switch (o) {
        case Outcome::answer: return "answer";
        case Outcome::suggest: return "suggest";
        case Outcome::fallback: return "fallback";
        case Outcome::smalltalk: return "smalltalk";
        case Outcome::handoff: return "handoff";
    }
    return "fallback";
}

std::string_view to_string(HandoffReason r) {
    switch (r) {
        case HandoffReason::none: return "";
        case HandoffReason::visitor_asked: return "visitor_asked";
        case HandoffReason::bot_fallback: return "bot_fallback";
        case HandoffReason::negative_sentiment: return "negative_sentiment";
        case HandoffReason::complaint: return "complaint";
    }
    return "";
}

std::vector<std::string> topic_ids(const KnowledgeBase& kb) {
    std::vector<std::string> ids;
    for (const auto& t : kb.topics) ids.push_back(t.id);
    return ids;
}

}  // namespace chat::bot
