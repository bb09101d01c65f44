// static_files.cpp — safe resolution of request targets to files under the web root.
#include "static_files.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <system_error>

namespace chat::server {
namespace fs = std::filesystem;

std::optional<std::string> percent_decode(std::string_view s) {
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out.push_back(s[i]);
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        int hi = hex(s[i + 1]), lo = hex(s[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        char c = static_cast<char>(hi * 16 + lo);
        if (c == '\0') return std::nullopt;
        out.push_back(c);
        i += 2;
    }
    return out;
}

StaticResult resolve_static(const fs::path& root, std::string_view target, fs::path& file) {
    if (auto q = target.find_first_of("?#"); q != std::string_view::npos) target = target.substr(0, q);
    if (target.empty() || target.front() != '/') return StaticResult::bad_path;
    auto decoded = percent_decode(target);
    if (!decoded) return StaticResult::bad_path;
    const std::string& path = *decoded;
    if (path.find('\\') != std::string::npos || path.find('\0') != std::string::npos) return StaticResult::bad_path;
    // Walk the segments: refuse `..`, skip empty and `.` ones.
    fs::path rel;
    std::size_t start = 1;
    while (start <= path.size()) {
        std::size_t end = path.find('/', start);
        if (end == std::string::npos) end = path.size();
        std::string_view seg(path.data() + start, end - start);
        if (seg == "..") return StaticResult::bad_path;
        if (!seg.empty() && seg != ".") rel /= std::string(seg);
        start = end + 1;
    }
    std::error_code ec;
    fs::path candidate = root / rel;
    if (fs::is_directory(candidate, ec)) candidate /= "index.html";
    fs::path real = fs::canonical(candidate, ec);
    if (ec) return StaticResult::not_found;
    // Followed symlinks must not lead out of the web root.
    auto [r, c] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (r != root.end()) return StaticResult::not_found;
    if (!fs::is_regular_file(real, ec)) return StaticResult::not_found;
    file = std::move(real);
    return StaticResult::ok;
}

StaticResult resolve_vendor(const fs::path& root, std::string_view target, fs::path& file) {
    if (auto q = target.find_first_of("?#"); q != std::string_view::npos) target = target.substr(0, q);
    static constexpr std::pair<std::string_view, std::string_view> kFiles[] = {
        {"/vendor/uplot/uPlot.iife.min.js", "uplot/dist/uPlot.iife.min.js"},
        {"/vendor/uplot/uPlot.min.css", "uplot/dist/uPlot.min.css"},
    };
    for (const auto& [url, rel] : kFiles) {
        if (target != url) continue;
        std::error_code ec;
        fs::path p = root.parent_path() / "node_modules" / rel;
        if (!fs::is_regular_file(p, ec)) return StaticResult::not_found;
        file = std::move(p);
        return StaticResult::ok;
    }
    return StaticResult::not_found;
}

std::string etag_of(const fs::path& file) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) return {};
    const auto mtime = fs::last_write_time(file, ec);
    if (ec) return {};
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(mtime.time_since_epoch()).count();
    char buf[64];
    std::snprintf(buf, sizeof buf, "W/\"%llx-%llx\"", static_cast<unsigned long long>(size), static_cast<unsigned long long>(ns));
    return buf;
}

bool etag_matches(std::string_view header, std::string_view etag) {
    if (etag.empty()) return false;
    // Weak comparison: W/"x" and "x" name the same version.
    auto strip = [](std::string_view t) {
        while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
        while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
        if (t.rfind("W/", 0) == 0) t.remove_prefix(2);
        return t;
    };
    const std::string_view want = strip(etag);
    std::size_t start = 0;
    while (start <= header.size()) {
        std::size_t end = header.find(',', start);
        if (end == std::string_view::npos) end = header.size();
        const std::string_view one = strip(header.substr(start, end - start));
        if (one == "*" || one == want) return true;
        start = end + 1;
    }
    return false;
}

std::string_view mime_type(const fs::path& file) {
    const std::string ext = file.extension().string();
    if (ext == ".html" || ext == ".htm") return "text/html; charset=utf-8";
    if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".svg") return "image/svg+xml";
    if (ext == ".png") return "image/png";
    if (ext == ".jpg" || ext == ".jpeg") return "image/jpeg";
    if (ext == ".webp") return "image/webp";
    if (ext == ".ico") return "image/x-icon";
    if (ext == ".woff2") return "font/woff2";
    if (ext == ".mp3") return "audio/mpeg";
    if (ext == ".txt") return "text/plain; charset=utf-8";
    return "application/octet-stream";
}

}  // namespace chat::server
