// bot_adapter.cpp — bot::Decision to BotAnswer: the topic goes to `faq` only when it is an FAQ
// topic (greeting, thanks, goodbye and human_agent are conversational intents: `faq` null).
#include "bot_adapter.hpp"

namespace chat::router {

using namespace std::string_view_literals;

BotAnswer ask_bot(const bot::KnowledgeBase& kb, const std::string& text, const BotContext& ctx) {
    bot::ConversationState st;
    st.lang = bot::parse_lang(ctx.lang);
    st.fallback_streak = ctx.fallback_streak;
    bot::Decision d = ctx.faq.empty() ? bot::decide(kb, text, st) : bot::choose(kb, ctx.faq, st);
    BotAnswer a;
    if (!d.intent.empty()) {
        a.intent = d.intent;
        const bool conversational = d.intent == "human_agent"sv || d.intent == "greeting"sv || d.intent == "thanks"sv || d.intent == "goodbye"sv;
        if (!conversational) a.faq = d.intent;
    }
    a.outcome = std::string(bot::to_string(d.outcome));
    a.score = d.score;
    a.lang = std::string(bot::to_string(d.lang));
    a.text = std::move(d.answer);
    for (auto& q : d.quick_replies) a.suggestions.emplace_back(std::move(q.label), std::move(q.faq));
    if (d.handoff_reason != bot::HandoffReason::none) a.handoff_reason = std::string(bot::to_string(d.handoff_reason));
    a.priority = d.priority;
    return a;
}

}  // namespace chat::router
