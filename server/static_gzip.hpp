// static_gzip.hpp — gzip for the static files: whether a client takes it, which files are worth
// it, and a cache of compressed copies made once per file version (ETag), so the widget goes out
// at its gzipped size (docs/web.md) without compressing it on every request. Pure: no sockets.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace chat::server {

// Whether an Accept-Encoding header value accepts gzip ("gzip" or "*", with q above 0).
bool accepts_gzip(std::string_view accept_encoding);

// Text types (HTML, JS, CSS, JSON, SVG, plain text) gain from compression; images and fonts do not.
bool compressible(std::string_view mime);

// The gzip member (RFC 1952) of `data`, at the best compression level.
std::string gzip(std::string_view data);

class GzipCache {
public:
    static constexpr std::uintmax_t kMaxFile = 2 * 1024 * 1024;
    static constexpr std::size_t kMaxEntries = 256;

    // The compressed copy of `file` at version `etag`, made on first use; nullptr when the file
    // cannot be read, is larger than kMaxFile, or does not shrink.
    std::shared_ptr<const std::string> get(const std::filesystem::path& file, const std::string& etag);

private:
    struct Entry {
        std::string etag;
        std::shared_ptr<const std::string> body;  // null: not worth compressing
    };
    std::mutex mutex_;
    std::unordered_map<std::string, Entry> entries_;
};

}  // namespace chat::server
