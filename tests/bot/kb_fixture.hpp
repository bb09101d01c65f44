// kb_fixture.hpp — builds small knowledge-base directories for the bot's unit tests, and
// loads the shop's real one (faq/ of the repository).
#pragma once

#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <unistd.h>

#include <catch2/catch.hpp>

#include "bot.hpp"

namespace bot_test {

inline std::shared_ptr<const chat::bot::KnowledgeBase> shop_kb() {
    static const auto kb = [] {
        auto r = chat::bot::load_knowledge_base(BOT_FAQ_DIR);
        if (auto* e = std::get_if<chat::bot::LoadError>(&r)) FAIL("shop knowledge base: " << chat::bot::to_string(*e));
        return std::get<std::shared_ptr<const chat::bot::KnowledgeBase>>(r);
    }();
    return kb;
}

// A scratch directory removed at the end of the test.
class TempKb {
public:
    TempKb() {
        static std::atomic<int> n{0};
        dir_ = std::filesystem::temp_directory_path() /
               ("bot-kb-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        std::filesystem::create_directories(dir_);
        write("settings.conf", "shop_name = Testshop\nthreshold.fr = 49 €\nthreshold.en = €49\n");
        write("fr.faq", minimal("fr"));
        write("en.faq", minimal("en"));
    }
    ~TempKb() { std::error_code ec; std::filesystem::remove_all(dir_, ec); }
    void write(const std::string& name, const std::string& text) {
        std::ofstream(dir_ / name, std::ios::binary) << text;
    }
    const std::filesystem::path& dir() const { return dir_; }
    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    static std::string header(const std::string& lang) {
        return "lang: " + lang + "\n"
               "text.fallback: fallback-" + lang + "\n"
               "text.handoff: handoff-" + lang + "\n"
               "text.suggest: suggest-" + lang + "\n"
               "label.human: human-" + lang + "\n";
    }
    static std::string minimal(const std::string& lang) {
        const bool fr = lang == "fr";
        return header(lang) +
               "topic: delivery_cost\n"
               "label: cost\n"
               "answer: " + std::string(fr ? "Livraison offerte dès {threshold} chez {shop_name}." : "Free delivery from {threshold} at {shop_name}.") + "\n"
               "q: " + (fr ? "combien coute la livraison" : "how much is delivery") + "\n"
               "topic: human_agent\n"
               "label: agent\n"
               "answer: " + (fr ? "Je vous passe un conseiller." : "Passing you to an agent.") + "\n"
               "q: " + (fr ? "parler a un conseiller" : "talk to an agent") + "\n" + fillers();
    }
    // Unrelated topics, so that word weights (idf) look like a real knowledge base's.
    static std::string fillers() {
        std::string out;
        const char* words[] = {"chaussette", "parapluie", "bougie", "tapis", "miroir", "horloge", "coussin", "vase"};
        int i = 0;
        for (const char* w : words) {
            out += "topic: filler" + std::to_string(i++) + "\nlabel: " + w + "\nanswer: " + w + "\nq: " + w + " " + w + "\n";
        }
        return out;
    }

private:
    std::filesystem::path dir_;
};

inline chat::bot::LoadError load_error(const TempKb& t) {
    auto r = chat::bot::load_knowledge_base(t.dir());
    REQUIRE(std::holds_alternative<chat::bot::LoadError>(r));
    return std::get<chat::bot::LoadError>(r);
}

}  // namespace bot_test
