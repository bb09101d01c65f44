// fuzz_logged.cpp — any bytes as a log line through router/json_in: parse_json must give the
// value nlohmann's parser gives (or refuse what it refuses), and read_logged may only type a
// line whose JSON object converts to that very event (MessageEvent::from_json, or the
// lifecycle fields Router::apply takes), since the replay applies its result instead.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "json_in.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using nlohmann::json;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const json want = json::parse(text.begin(), text.end(), nullptr, false);
    const json got = chat::router::parse_json(text);
    if (want.is_discarded() != got.is_discarded()) std::abort();
    if (!want.is_discarded() && want != got) std::abort();
    auto typed = chat::router::read_logged(text);
    if (!typed) return 0;
    if (want.is_discarded() || !want.is_object()) std::abort();
    auto type = want.find("type");
    if (type == want.end() || !type->is_string()) std::abort();
    auto text_or = [&](const char* key) {
        auto it = want.find(key);
        return it != want.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (typed->message) {
        if (*type != "message") std::abort();
        if (chat::router::MessageEvent::from_json(want).to_json() != typed->message->to_json()) std::abort();
    } else {
        const auto& e = *typed->conv_event;
        if (e.conv != text_or("conv") || e.visitor != text_or("visitor") || e.lang != text_or("lang") ||
            e.page.value_or("") != text_or("page") || e.by != text_or("by"))
            std::abort();
    }
    if (typed->ts != want.value("ts", std::int64_t{0})) std::abort();
    return 0;
}
