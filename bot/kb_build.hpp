// kb_build.hpp — from a parsed knowledge-base file to one language's searchable index.
#pragma once

#include <string>
#include <vector>

#include "faq_file.hpp"
#include "kb.hpp"
#include "settings.hpp"

namespace chat::bot::detail {

// Kind of a topic id: the conversational intents are fixed, every other id is an FAQ topic.
Kind kind_of(std::string_view topic_id);

// Builds lk from file; topics is the knowledge base's topic list (extended with new ids).
// Throws LoadError{file, line, reason} on any semantic error. `used` collects settings keys.
void build_lang(const FaqFile& file, const Settings& settings, std::vector<Topic>& topics, LangKB& lk,
                std::vector<std::string>& used);

}  // namespace chat::bot::detail
