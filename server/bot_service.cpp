// bot_service.cpp — loading, hot reload and the bot-to-router adapter.
#include "bot_service.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "bot.hpp"
#include "bot_adapter.hpp"

namespace chat::server {

struct BotService::Kb {
    std::shared_ptr<const bot::KnowledgeBase> kb;
    std::size_t topics = 0;
};

namespace {
// Names, sizes and modification times of every file under the directory: a change to any of
// them means a reload.
std::string fingerprint(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    std::ostringstream os;
    std::error_code ec;
    std::vector<std::string> rows;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        auto size = it->file_size(ec);
        auto mtime = it->last_write_time(ec).time_since_epoch().count();
        std::ostringstream row;
        row << it->path().string() << ':' << size << ':' << mtime;
        rows.push_back(row.str());
    }
    std::sort(rows.begin(), rows.end());
    for (auto& r : rows) os << r << '\n';
    return os.str();
}
}  // namespace

BotService::BotService(std::filesystem::path faq_dir) : dir_(std::move(faq_dir)) {}
BotService::~BotService() = default;

void BotService::load() {
    bool reloaded = false;
    if (auto err = reload(true, reloaded)) throw std::runtime_error("knowledge base refused: " + *err);
}

std::optional<std::string> BotService::reload(bool force, bool& reloaded) {
    std::lock_guard lock(reload_mu_);
    reloaded = false;
    std::string fp = fingerprint(dir_);
    if (!force && fp == fingerprint_) return std::nullopt;
    auto result = bot::load_knowledge_base(dir_);
    fingerprint_ = fp;  // a bad file is reported once, not on every check
    if (auto* err = std::get_if<bot::LoadError>(&result)) return bot::to_string(*err);
    auto kb = std::make_shared<Kb>();
    kb->kb = std::get<std::shared_ptr<const bot::KnowledgeBase>>(result);
    kb->topics = bot::topic_ids(*kb->kb).size();
    std::atomic_store(&kb_, std::shared_ptr<const Kb>(std::move(kb)));
    reloaded = true;
    return std::nullopt;
}

std::size_t BotService::topics() const {
    auto kb = std::atomic_load(&kb_);
    return kb ? kb->topics : 0;
}

router::BotAnswer BotService::decide(const std::string& text, const router::BotContext& ctx) const {
    auto kb = std::atomic_load(&kb_);
    if (!kb) return {};
    return router::ask_bot(*kb->kb, text, ctx);
}

}  // namespace chat::server
