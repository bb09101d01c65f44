// replay.cpp — sequential read of this node's segments, and reads of lines by place.
#include "replay.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <stdexcept>
#include <unistd.h>
#include <vector>

#include "segment_files.hpp"

namespace chat::eventlog {

ReplayCounts replay_segments(const std::filesystem::path& dir, const std::string& node,
                             const std::function<void(std::string_view, Placement)>& line) {
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
        std::uint64_t offset = 0;
        while (std::getline(in, buf)) {
            const Placement at{first, offset};
            offset += buf.size() + 1;
            if (buf.empty()) continue;
            counts.lines++;
            line(buf, at);
        }
    }
    return counts;
}

namespace {
// One line from `fd` at `offset`: read in blocks until its '\n' (or the end of the file).
bool read_line(int fd, std::uint64_t offset, std::string& out) {
    out.clear();
    char block[4096];
    for (;;) {
        const ssize_t got = ::pread(fd, block, sizeof block, static_cast<off_t>(offset));
        if (got < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (got == 0) return !out.empty();
        const auto n = static_cast<std::size_t>(got);
        if (const void* nl = std::memchr(block, '\n', n)) {
            out.append(block, static_cast<std::size_t>(static_cast<const char*>(nl) - block));
            return true;
        }
        out.append(block, n);
        offset += n;
    }
}
}  // namespace

std::vector<std::string> read_lines_at(const std::filesystem::path& dir, const std::string& node,
                                       const std::vector<Placement>& places, std::string* error) {
    std::vector<std::string> lines;
    lines.reserve(places.size());
    std::uint64_t open_segment = 0;
    int fd = -1;
    std::string line;
    auto fail = [&](const std::string& what) {
        if (error && error->empty()) *error = what;
    };
    for (const auto& p : places) {
        if (fd < 0 || p.segment != open_segment) {
            if (fd >= 0) ::close(fd);
            const auto path = dir / detail::segment_name(node, p.segment);
            fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
            open_segment = p.segment;
            if (fd < 0) {
                fail("cannot open " + path.string() + ": " + std::strerror(errno));
                continue;
            }
        }
        if (read_line(fd, p.offset, line) && !line.empty()) {
            lines.push_back(line);
        } else {
            fail("no line at offset " + std::to_string(p.offset) + " of " + detail::segment_name(node, p.segment));
        }
    }
    if (fd >= 0) ::close(fd);
    return lines;
}

}  // namespace chat::eventlog
