// fixed_bot.hpp — the bot of the router benches: the same FAQ answer to every question, so that
// what they time is the router's own work, never the FAQ engine's.
#pragma once

#include "router.hpp"

namespace chat::bench {

inline router::BotFn fixed_answer_bot() {
    return [](const std::string&, const router::BotContext&) {
        router::BotAnswer a;
        a.outcome = "answer";
        a.faq = a.intent = "delivery_time";
        a.score = 0.9;
        a.text = "Orders leave our warehouse within 24 hours.";
        return a;
    };
}

}  // namespace chat::bench
