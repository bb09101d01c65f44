// bot_adapter.hpp — asks the FAQ bot about one visitor message and puts its decision in the
// router's terms (BotAnswer), so the router itself never depends on the bot's types.
#pragma once

#include "bot.hpp"
#include "router.hpp"

namespace chat::router {

BotAnswer ask_bot(const bot::KnowledgeBase& kb, const std::string& text, const BotContext& ctx);

}  // namespace chat::router
