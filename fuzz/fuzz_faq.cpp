// fuzz_faq.cpp — the FAQ matcher on arbitrary visitor text: normalisation, language
// detection, typo index and scoring must hold for any bytes (invalid UTF-8 included), with a
// score in 0..1 and a non-empty answer. The knowledge base is the repository's faq/.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>

#include "bot.hpp"

namespace {
std::shared_ptr<const chat::bot::KnowledgeBase> kb;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    auto loaded = chat::bot::load_knowledge_base(CHAT_FAQ_DIR);
    if (auto* err = std::get_if<chat::bot::LoadError>(&loaded)) {
        std::fprintf(stderr, "fuzz_faq: %s\n", chat::bot::to_string(*err).c_str());
        std::abort();
    }
    kb = std::get<0>(loaded);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace chat::bot;
    if (size == 0) return 0;
    // The first byte picks the conversation state, the rest is the message.
    ConversationState state;
    if (data[0] & 1) state.lang = (data[0] & 2) ? Lang::fr : Lang::en;
    state.fallback_streak = (data[0] >> 2) & 3;
    state.priority = data[0] & 0x10;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const Decision d = decide(*kb, text, state);
    if (!(d.score >= 0 && d.score <= 1)) std::abort();
    if (d.answer.empty() && d.outcome != Outcome::handoff) std::abort();
    (void)choose(*kb, text, state);
    return 0;
}
