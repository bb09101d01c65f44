// conv_event.hpp — the conversation's lifecycle events (opened, reopened, resolved, csat), typed.
//
// After the messages these are the events a shopper's conversation makes most often: one
// opening, then for every question answered and rated a resolution and a CSAT score, and a
// reopening when the shopper asks again. Like messages (message_event.hpp) they are built as
// plain structs, applied to the state by member access, written to the log line by json_out
// and handed to the live KPIs as fields, without a JSON object on the way. The JSON object
// is built only when something asks for it (the cluster journal, the agent audit, tests).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace chat::router {

struct ConvEvent {
    enum class Kind : std::uint8_t { opened, reopened, resolved, csat };
    Kind kind = Kind::opened;
    std::string conv;
    std::int64_t ts = 0;
    // conversation.opened
    std::string visitor, lang;
    std::optional<std::string> page, user_agent, referrer;
    // conversation.resolved: who resolved it, and the agent when one did
    std::string by;
    std::optional<std::string> agent;
    // csat: the score (1..5) and the shopper's comment, if any
    int score = 0;
    std::optional<std::string> comment;

    // Its "type" as logged ("conversation.opened"...).
    std::string_view type() const;
    // The kind of a logged "type" that the router applies as a lifecycle event (opened,
    // reopened, resolved; a csat line changes nothing it keeps), or nullopt.
    static std::optional<Kind> applied_kind(std::string_view type);
    // The same event as the JSON object it stands for (keys as docs/event-log.md names them).
    nlohmann::json to_json() const;
    // Its log line (no newline), byte for byte log_line(to_json(), node, seq).
    std::string log_line(std::string_view node, std::uint64_t seq) const;
};

}  // namespace chat::router
