// log_replay.cpp — sequential read of this node's segments.
#include "log_replay.hpp"

#include <algorithm>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace chat::server {

ReplayCounts replay_segments(const std::filesystem::path& dir, const std::string& node,
                             const std::function<void(std::string_view)>& line) {
    namespace fs = std::filesystem;
    ReplayCounts counts;
    std::vector<std::pair<std::uint64_t, fs::path>> segments;
    const std::string prefix = "events-" + node + "-";
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0 || entry.path().extension() != ".jsonl") continue;
        const std::string first = name.substr(prefix.size(), name.size() - prefix.size() - 6);
        if (first.empty() || first.find_first_not_of("0123456789") != std::string::npos) continue;
        segments.emplace_back(std::stoull(first), entry.path());
    }
    std::sort(segments.begin(), segments.end());
    std::string buf;
    for (const auto& [first, path] : segments) {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw std::runtime_error("cannot read " + path.string());
        counts.segments++;
        while (std::getline(in, buf)) {
            if (buf.empty()) continue;
            counts.lines++;
            line(buf);
        }
    }
    return counts;
}

}  // namespace chat::server
