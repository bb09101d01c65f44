// json_in.cpp — simdjson's DOM, copied into nlohmann values or read into typed events.
#include "json_in.hpp"

#include <cmath>
#include <cstring>

#include <simdjson.h>

#include "json_out.hpp"

namespace chat::router {

using namespace std::string_view_literals;

using json = nlohmann::json;

namespace {
namespace dom = simdjson::dom;

// The element as nlohmann's parser would give it; false when not sure (the caller then parses
// with nlohmann). Duplicate keys: the last wins, as in nlohmann. `minus_zero`: the text holds
// "-0", which nlohmann reads as a signed integer and simdjson as 0 or -0.0.
bool copy_value(dom::element el, json& out, bool minus_zero) {
    switch (el.type()) {
    case dom::element_type::OBJECT: {
        out = json(json::value_t::object);
        for (dom::key_value_pair kv : dom::object(el)) {
            json& slot = out[std::string(kv.key)];
            if (!copy_value(kv.value, slot, minus_zero)) return false;
        }
        return true;
    }
    case dom::element_type::ARRAY: {
        out = json(json::value_t::array);
        for (dom::element item : dom::array(el)) {
            out.push_back(json());
            if (!copy_value(item, out.back(), minus_zero)) return false;
        }
        return true;
    }
    case dom::element_type::STRING: out = std::string(std::string_view(el)); return true;
    case dom::element_type::INT64: {
        // nlohmann keeps numbers written without a sign as unsigned.
        const std::int64_t v = std::int64_t(el);
        if (v == 0 && minus_zero) return false;
        if (v >= 0) out = static_cast<std::uint64_t>(v);
        else out = v;
        return true;
    }
    case dom::element_type::UINT64: out = std::uint64_t(el); return true;
    case dom::element_type::DOUBLE: {
        const double d = double(el);
        if (d == 0 && std::signbit(d)) return false;  // "-0" is an integer to nlohmann
        out = d;
        return true;
    }
    case dom::element_type::BOOL: out = bool(el); return true;
    case dom::element_type::NULL_VALUE: out = nullptr; return true;
    }
    return false;
}

// The text parsed by simdjson into `root` (a buffer per thread, padded as simdjson needs).
bool parse_dom(std::string_view text, dom::element& root) {
    thread_local dom::parser parser;
    thread_local std::string padded;
    if (padded.size() < text.size() + simdjson::SIMDJSON_PADDING) padded.resize(text.size() + simdjson::SIMDJSON_PADDING);
    if (!text.empty()) std::memcpy(padded.data(), text.data(), text.size());
    return !parser.parse(padded.data(), text.size(), false).get(root);
}

std::optional<std::string> string_of(dom::element el) {
    if (el.type() != dom::element_type::STRING) return std::nullopt;
    return std::string(std::string_view(el));
}
}  // namespace

json parse_json(std::string_view text) {
    json out;
    dom::element root;
    if (!parse_dom(text, root) || !copy_value(root, out, text.find("-0") != std::string_view::npos))
        out = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    return out;
}

std::optional<LoggedLine> read_logged(std::string_view line) {
    dom::element root;
    if (!parse_dom(line, root) || root.type() != dom::element_type::OBJECT) return std::nullopt;
    // The members the router reads, each at most once (nlohmann keeps the last of duplicates).
    enum Key { type, conv, ts, seq, msg, author, text, client_id, agent, faq, score, outcome, suggestions, intent, lang,
               visitor, page, by, keys };
    static constexpr std::string_view names[keys] = {"type",  "conv",    "ts",          "seq",    "msg",  "author",
                                                     "text",  "client_id", "agent",     "faq",    "score", "outcome",
                                                     "suggestions", "intent", "lang",   "visitor", "page", "by"};
    dom::element at[keys];
    bool seen[keys] = {};
    for (dom::key_value_pair kv : dom::object(root)) {
        for (int k = 0; k < keys; ++k) {
            if (kv.key != names[k]) continue;
            if (seen[k]) return std::nullopt;
            seen[k] = true;
            at[k] = kv.value;
            break;
        }
    }
    auto str = [&](Key k) { return seen[k] ? string_of(at[k]) : std::nullopt; };
    const std::optional<std::string> kind = str(type);
    if (!kind) return std::nullopt;
    LoggedLine out;
    if (seen[ts]) {
        // nlohmann would convert a fraction or throw on a string: such a line goes its way.
        if (at[ts].type() == dom::element_type::INT64) out.ts = std::int64_t(at[ts]);
        else return std::nullopt;
    }
    if (seen[seq]) {
        if (at[seq].type() == dom::element_type::UINT64) out.seq = std::uint64_t(at[seq]);
        else if (at[seq].type() == dom::element_type::INT64 && std::int64_t(at[seq]) >= 0) out.seq = static_cast<std::uint64_t>(std::int64_t(at[seq]));
    }
    if (*kind == "message"sv) {
        MessageEvent m;
        m.conv = str(conv).value_or("");
        m.ts = out.ts;
        m.msg = str(msg).value_or("");
        m.author = str(author).value_or("");
        m.text = str(text);
        m.client_id = str(client_id);
        m.agent = str(agent);
        m.bot_fields = m.author == "bot"sv;
        m.faq = str(faq);
        if (seen[score]) {
            switch (at[score].type()) {
            case dom::element_type::DOUBLE: m.score = double(at[score]); break;
            case dom::element_type::INT64: m.score = static_cast<double>(std::int64_t(at[score])); break;
            case dom::element_type::UINT64: m.score = static_cast<double>(std::uint64_t(at[score])); break;
            default: break;
            }
        }
        m.outcome = str(outcome);
        if (seen[suggestions] && at[suggestions].type() == dom::element_type::ARRAY) {
            json array;
            if (!copy_value(at[suggestions], array, line.find("-0") != std::string_view::npos)) return std::nullopt;
            append_json_value(m.suggestions, array);
        }
        m.intent = str(intent);
        m.lang = str(lang);
        out.message = std::move(m);
        return out;
    }
    const auto lifecycle = ConvEvent::applied_kind(*kind);
    if (!lifecycle) return std::nullopt;
    ConvEvent e;
    e.kind = *lifecycle;
    e.conv = str(conv).value_or("");
    e.ts = out.ts;
    e.visitor = str(visitor).value_or("");
    e.lang = str(lang).value_or("");
    e.page = str(page).value_or("");
    e.by = str(by).value_or("");
    out.conv_event = std::move(e);
    return out;
}

const nlohmann::json& member(const nlohmann::json& frame, const char* key) {
    static const nlohmann::json missing;
    const auto it = frame.find(key);
    return it != frame.end() ? *it : missing;
}

}  // namespace chat::router
