// json_out.hpp — one decision as the JSON line `chat-bot` prints.
#pragma once

#include <string>

#include "bot.hpp"

namespace chat::bot::cli {

// {"intent","outcome","score","lang","suggestions":[{"label","faq"}],"answer","handoff_reason","priority"}
std::string decision_json(const Decision& d);

}  // namespace chat::bot::cli
