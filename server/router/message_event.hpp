// message_event.hpp — one event of the log as the router emits it.
//
// Most events are small JSON objects. The messages — two or more per visitor message, on the
// hot path — are typed structs instead: built without a map node per field, applied to the
// state by member access, written to the log line and to the message frame directly by
// json_out. Their JSON object is built only when something asks for it (the cluster journal,
// tests). Replay reads JSON and converts a message to the struct, so the state changes through
// one code path whichever way an event comes in. The conversation's lifecycle events (opened,
// reopened, resolved, csat) are typed the same way (conv_event.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "conv_event.hpp"

namespace chat::router {

// A "message" event (docs/event-log.md).
struct MessageEvent {
    std::string conv;
    std::int64_t ts = 0;
    std::string msg;
    std::string author;                    // visitor | bot | agent | system
    std::optional<std::string> text;       // null once the visitor's texts are erased
    std::optional<std::string> client_id;  // visitor and agent messages
    std::optional<std::string> agent;      // agent messages
    // The bot's messages: `faq` (null without a topic), `score`, `outcome`, `suggestions` (the
    // serialised array of {faq, label}), optional `intent` and `lang`.
    bool bot_fields = false;
    std::optional<std::string> faq;
    double score = 0;
    std::optional<std::string> outcome;
    std::string suggestions;  // "" when absent
    std::optional<std::string> intent, lang;

    // Sets `suggestions` from (label, faq) pairs: the array of {faq, label}, keys sorted as
    // nlohmann writes them.
    void set_suggestions(const std::vector<std::pair<std::string, std::string>>& label_faq);
    // `text` as JSON ("null" when erased), escaped once for both the frame and the log line.
    const std::string& text_json() const;

    // From a logged event (replay): the fields the state and the frames read.
    static MessageEvent from_json(const nlohmann::json& e);
    // The same event as the JSON object it stands for.
    nlohmann::json to_json() const;
    // Its log line (no newline), byte for byte log_line(to_json(), node, seq).
    std::string log_line(std::string_view node, std::uint64_t seq) const;

private:
    mutable std::string text_json_;  // "" until text_json() is first called
};

// The conversation whose state a logged event changes: its "conv", except for audits (an
// audit only names the conversation an action targeted) — "" for none.
std::string_view conversation_of(const nlohmann::json& e);

class Event {
public:
    Event(nlohmann::json j) : json_(std::move(j)) {}  // NOLINT: implicit, as events were JSON
    Event(nlohmann::json::initializer_list_t init) : json_(init) {}
    // Moved in once (a message carries a dozen strings; a copy is asked for explicitly).
    explicit Event(MessageEvent&& m) : message_(std::move(m)) {}
    explicit Event(ConvEvent&& c) : conv_(std::move(c)) {}
    explicit Event(const MessageEvent& m) : message_(m) {}
    explicit Event(const ConvEvent& c) : conv_(c) {}

    // The typed message, or null for an event held otherwise.
    const MessageEvent* message() const { return message_ ? &*message_ : nullptr; }
    // The typed lifecycle event (conv_event.hpp), or null for an event held otherwise.
    const ConvEvent* conv_event() const { return conv_ ? &*conv_ : nullptr; }
    // The event as a JSON object (built once, on first use, for a typed event).
    const nlohmann::json& as_json() const;
    // Its log line (no newline): the event with "node", "seq" and "v" set.
    std::string log_line(std::string_view node, std::uint64_t seq) const;
    // The conversation whose state it changes (conversation_of below).
    std::string_view conv() const;

private:
    std::optional<MessageEvent> message_;
    std::optional<ConvEvent> conv_;
    mutable nlohmann::json json_;
};

}  // namespace chat::router
