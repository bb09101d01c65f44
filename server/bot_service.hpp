// bot_service.hpp — the FAQ bot as the server uses it: the loaded knowledge base, swapped
// atomically on reload, and the adapter from the bot's decision to the router's BotAnswer.
//
// A reload (SIGHUP, or a file under --faq changed) builds a complete new knowledge base
// before swapping it in; a bad file is refused with its file, line and reason, and the
// running server keeps answering from the previous one.
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "router.hpp"

namespace chat::server {

class BotService {
public:
    explicit BotService(std::filesystem::path faq_dir);
    ~BotService();

    // First load; throws std::runtime_error "file:line: reason" on a bad knowledge base.
    void load();
    // Reloads when a file changed (or always, with force). Returns the error that kept the
    // previous knowledge base, or nullopt when reloaded or unchanged. Sets `reloaded`.
    std::optional<std::string> reload(bool force, bool& reloaded);

    router::BotAnswer decide(const std::string& text, const router::BotContext& ctx) const;
    std::size_t topics() const;
    const std::filesystem::path& dir() const { return dir_; }

private:
    struct Kb;
    std::filesystem::path dir_;
    std::shared_ptr<const Kb> kb_;  // swapped with std::atomic_store
    mutable std::mutex reload_mu_;
    std::string fingerprint_;       // sizes and mtimes of the files last loaded
};

}  // namespace chat::server
