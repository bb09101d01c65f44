// visitor_data.hpp — what the data directory holds about one visitor: export and erasure.
//
// Both read every event log segment under the data directory (every node's), so they work
// whether or not a chatd is running on it. A visitor's conversations are those whose
// `conversation.opened` names them; their texts are the `text` of every `message` and
// `note` in those conversations, the `comment` of their `csat`, and the `text` and `email`
// of the visitor's `offline.message`s. Erasure blanks them in place (blank_fields.hpp); no
// other byte of any file changes. Retention does the same for every text older than a
// cut-off. See docs/privacy.md for why this design.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace chat::privacy {

struct EraseCounts {
    std::size_t conversations = 0;  // the visitor's conversations found (erase) — 0 for retention
    std::size_t texts = 0;          // text fields blanked now (already blank ones not counted)
    std::size_t lines = 0;          // events changed
    std::size_t torn_files = 0;     // torn-tail side files overwritten
};

// True for a visitor id as chatd makes them (and as the CLI accepts): 1 to 100 of
// [A-Za-z0-9_-], not starting with '-'.
bool valid_visitor_id(std::string_view id);

// Everything held about `visitor`: {"visitor", "conversations": [ids], "events": [...]}
// with the events in (ts, node, seq) order. Throws std::runtime_error naming an unreadable file.
nlohmann::json export_visitor(const std::filesystem::path& data, const std::string& visitor);

// Blanks every text of `visitor` in every segment (and overwrites torn tails that mention
// the visitor or one of their conversations). Idempotent. Each changed file is fsynced.
// Throws std::runtime_error naming the file it could not read or write.
EraseCounts erase_visitor_texts(const std::filesystem::path& data, const std::string& visitor);

// Blanks every text of an event whose `ts` is before `cutoff_ms`. Idempotent.
EraseCounts erase_texts_before(const std::filesystem::path& data, std::int64_t cutoff_ms);

}  // namespace chat::privacy
