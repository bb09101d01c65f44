// canned.cpp — loading, validating and saving canned responses.
#include "canned.hpp"

#include <fstream>

namespace chat::server {

namespace {
nlohmann::json defaults() {
    return nlohmann::json::array({
        {{"id", "hello-fr"}, {"lang", "fr"}, {"title", "Bonjour"}, {"text", "Bonjour, je suis là pour vous aider. Que puis-je faire pour vous ?"}},
        {{"id", "hello-en"}, {"lang", "en"}, {"title", "Hello"}, {"text", "Hello, I'm here to help. What can I do for you?"}},
        {{"id", "order-fr"}, {"lang", "fr"}, {"title", "Numéro de commande"}, {"text", "Pouvez-vous me donner votre numéro de commande ? Il commence par LUM- et figure dans l'e-mail de confirmation."}},
        {{"id", "order-en"}, {"lang", "en"}, {"title", "Order number"}, {"text", "Could you give me your order number? It starts with LUM- and is in your confirmation email."}},
        {{"id", "bye-fr"}, {"lang", "fr"}, {"title", "Au revoir"}, {"text", "Merci pour votre message, belle journée !"}},
        {{"id", "bye-en"}, {"lang", "en"}, {"title", "Goodbye"}, {"text", "Thanks for getting in touch, have a lovely day!"}},
    });
}
}  // namespace

CannedResponses::CannedResponses(std::filesystem::path data) : file_(std::move(data) / "canned.json") {
    std::ifstream in(file_);
    if (!in) {
        items_ = defaults();
        return;
    }
    auto j = nlohmann::json::parse(in, nullptr, false);
    items_ = j.is_array() ? j : defaults();
}

nlohmann::json CannedResponses::list() const {
    std::lock_guard lock(mu_);
    return items_;
}

std::string CannedResponses::replace(const nlohmann::json& items) {
    if (!items.is_array()) return "expected a JSON array of {id, title, text, lang}";
    if (items.size() > 500) return "at most 500 canned responses";
    nlohmann::json clean = nlohmann::json::array();
    for (const auto& it : items) {
        if (!it.is_object()) return "each canned response is an object";
        auto text_field = [&](const char* key, std::size_t max, bool required) -> std::string {
            auto f = it.find(key);
            if (f == it.end() || !f->is_string()) return required ? std::string("missing \"") + key + "\"" : "";
            if (f->get_ref<const std::string&>().size() > max) return std::string("\"") + key + "\" is too long";
            return "";
        };
        for (auto [key, max, required] : {std::tuple{"id", 64, true}, {"title", 120, true}, {"text", 4000, true}, {"lang", 8, false}})
            if (auto err = text_field(key, static_cast<std::size_t>(max), required); !err.empty()) return err;
        nlohmann::json row{{"id", it["id"]}, {"title", it["title"]}, {"text", it["text"]}};
        if (it.contains("lang") && it["lang"].is_string()) row["lang"] = it["lang"];
        clean.push_back(std::move(row));
    }
    std::lock_guard lock(mu_);
    auto tmp = file_;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << clean.dump(2) << '\n';
        if (!out.flush()) return "cannot write " + tmp.string();
    }
    std::error_code ec;
    std::filesystem::rename(tmp, file_, ec);
    if (ec) return "cannot write " + file_.string() + ": " + ec.message();
    items_ = std::move(clean);
    return "";
}

}  // namespace chat::server
