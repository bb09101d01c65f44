// message_event.cpp — typed message events: from and to JSON, and their log line written directly.
#include "message_event.hpp"

#include "json_out.hpp"

namespace chat::router {

using namespace std::string_view_literals;

using json = nlohmann::json;

namespace {
std::optional<std::string> text_of(const json& e, const char* key) {
    auto it = e.find(key);
    if (it == e.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}
}  // namespace

const std::string& MessageEvent::text_json() const {
    if (text_json_.empty()) {
        if (text) append_json_string(text_json_, *text);
        else text_json_ = "null";
    }
    return text_json_;
}

void MessageEvent::set_suggestions(const std::vector<std::pair<std::string, std::string>>& label_faq) {
    suggestions = "[";
    for (const auto& [label, faq] : label_faq) {
        if (suggestions.size() > 1) suggestions += ',';
        suggestions += "{\"faq\":";
        append_json_string(suggestions, faq);
        suggestions += ",\"label\":";
        append_json_string(suggestions, label);
        suggestions += '}';
    }
    suggestions += ']';
}

MessageEvent MessageEvent::from_json(const json& e) {
    MessageEvent m;
    m.conv = text_of(e, "conv").value_or("");
    m.ts = e.value("ts", std::int64_t{0});
    m.msg = text_of(e, "msg").value_or("");
    m.author = text_of(e, "author").value_or("");
    m.text = text_of(e, "text");
    m.client_id = text_of(e, "client_id");
    m.agent = text_of(e, "agent");
    m.bot_fields = m.author == "bot"sv;
    m.faq = text_of(e, "faq");
    if (auto it = e.find("score"); it != e.end() && it->is_number()) m.score = it->get<double>();
    m.outcome = text_of(e, "outcome");
    if (auto it = e.find("suggestions"); it != e.end() && it->is_array()) append_json_value(m.suggestions, *it);
    m.intent = text_of(e, "intent");
    m.lang = text_of(e, "lang");
    return m;
}

json MessageEvent::to_json() const {
    json e(json::value_t::object);
    e["type"] = "message";
    e["conv"] = conv;
    e["ts"] = ts;
    e["msg"] = msg;
    e["author"] = author;
    e["text"] = text ? json(*text) : json(nullptr);
    if (client_id) e["client_id"] = *client_id;
    if (agent) e["agent"] = *agent;
    if (bot_fields) {
        e["faq"] = faq ? json(*faq) : json(nullptr);
        e["score"] = score;
        if (outcome) e["outcome"] = *outcome;
        e["suggestions"] = suggestions.empty() ? json::array() : json::parse(suggestions);
    }
    if (intent) e["intent"] = *intent;
    if (lang) e["lang"] = *lang;
    return e;
}

std::string MessageEvent::log_line(std::string_view node, std::uint64_t seq) const {
    // Keys in nlohmann's sorted order, as log_line(json) writes them.
    JsonOut f(224 + (text ? text->size() : 0) + suggestions.size());
    if (agent) f.str("agent", *agent);
    f.str("author", author);
    if (client_id) f.str("client_id", *client_id);
    f.str("conv", conv);
    if (bot_fields) {
        if (faq) f.str("faq", *faq);
        else f.raw("faq", "null");
    }
    if (intent) f.str("intent", *intent);
    if (lang) f.str("lang", *lang);
    f.str("msg", msg);
    f.str("node", node);
    if (bot_fields) {
        if (outcome) f.str("outcome", *outcome);
        f.fraction("score", score);
    }
    f.num("seq", seq);
    if (bot_fields) f.raw("suggestions", suggestions.empty() ? std::string_view("[]") : std::string_view(suggestions));
    f.raw("text", text_json());
    f.num("ts", ts);
    f.str("type", "message");
    f.raw("v", "1");
    return std::move(f).done();
}

const json& Event::as_json() const {
    if (json_.is_null()) {
        if (message_) json_ = message_->to_json();
        else if (conv_) json_ = conv_->to_json();
    }
    return json_;
}

std::string_view conversation_of(const json& e) {
    if (!e.is_object()) return {};
    auto it = e.find("conv");
    if (it == e.end() || !it->is_string()) return {};
    if (auto t = e.find("type"); t != e.end() && t->is_string() && t->get_ref<const std::string&>() == "audit"sv) return {};
    return it->get_ref<const std::string&>();
}

std::string_view Event::conv() const {
    if (message_) return message_->conv;
    if (conv_) return conv_->conv;
    return conversation_of(json_);
}

std::string Event::log_line(std::string_view node, std::uint64_t seq) const {
    if (message_) return message_->log_line(node, seq);
    if (conv_) return conv_->log_line(node, seq);
    return router::log_line(json_, node, seq);
}

}  // namespace chat::router
