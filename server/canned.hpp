// canned.hpp — the agents' shared canned responses, kept in <data>/canned.json.
//
// A small list that agents read when they type "/" in the console and edit from the console's
// API; every write replaces the whole list atomically (temp file + rename). Thread-safe.
#pragma once

#include <filesystem>
#include <mutex>
#include <string>

#include <nlohmann/json.hpp>

namespace chat::server {

class CannedResponses {
public:
    explicit CannedResponses(std::filesystem::path data);
    nlohmann::json list() const;
    // Validates and stores `items`; returns an error message, empty on success.
    std::string replace(const nlohmann::json& items);

private:
    std::filesystem::path file_;
    mutable std::mutex mu_;
    nlohmann::json items_ = nlohmann::json::array();
};

}  // namespace chat::server
