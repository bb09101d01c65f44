// cluster_link_parts.hpp — what the files of ClusterLink share (cluster_link.cpp,
// cluster_queue.cpp, cluster_agents.cpp, cluster_takeover.cpp): the timings and a few
// helpers. Private to those files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "router.hpp"

namespace chat::server::cluster_parts {

using json = nlohmann::json;

constexpr std::int64_t kLivenessMs = 3000;  // the node's key lives this long; renewed every second
constexpr std::int64_t kQueueViewMs = 5000;  // a node's queue not heard of for this long is dropped
constexpr int kDrainMax = 50;
// After Redis lost its data, no node is taken for dead before this: every live node has
// renewed its liveness key by then (heartbeat every second, reconnection backoff up to 5 s).
constexpr std::int64_t kClaimGraceMs = 7000;
constexpr int kSweepMax = 20;  // conversations of each dead node tried per sweep
inline constexpr const char* kRedisDown = "other nodes cannot be reached right now: try again shortly";

inline std::vector<std::string> frame_texts(const std::vector<std::shared_ptr<const std::string>>& frames) {
    std::vector<std::string> out;
    out.reserve(frames.size());
    for (const auto& f : frames) out.push_back(*f);
    return out;
}

inline std::vector<std::shared_ptr<const std::string>> frames_of(const json& list) {
    std::vector<std::shared_ptr<const std::string>> out;
    if (!list.is_array()) return out;
    for (const auto& f : list)
        if (f.is_string()) out.push_back(std::make_shared<const std::string>(f.get<std::string>()));
    return out;
}

inline std::string error_frame(std::string_view code, std::string_view message) {
    return router::dump(json{{"type", "error"}, {"code", code}, {"message", message}});
}

}  // namespace chat::server::cluster_parts
