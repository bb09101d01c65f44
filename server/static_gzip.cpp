// static_gzip.cpp — gzip negotiation, compression with zlib, and the cache of compressed files.
#include "static_gzip.hpp"

#include <cctype>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include <zlib.h>

namespace chat::server {

namespace {
std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}
bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}
}  // namespace

bool accepts_gzip(std::string_view header) {
    std::size_t start = 0;
    while (start <= header.size()) {
        std::size_t end = header.find(',', start);
        if (end == std::string_view::npos) end = header.size();
        std::string_view item = header.substr(start, end - start);
        start = end + 1;
        std::string_view name = trim(item.substr(0, item.find(';')));
        if (!iequals(name, "gzip") && name != "*") continue;
        // q=0 (0, 0.0, 0.00, 0.000) refuses it.
        bool refused = false;
        if (auto semi = item.find(';'); semi != std::string_view::npos) {
            std::string_view param = trim(item.substr(semi + 1));
            if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
                std::string_view q = trim(param.substr(2));
                refused = !q.empty() && q.find_first_not_of("0.") == std::string_view::npos;
            }
        }
        if (!refused) return true;
    }
    return false;
}

bool compressible(std::string_view mime) {
    return mime.rfind("text/", 0) == 0 || mime.rfind("application/json", 0) == 0 || mime.rfind("image/svg+xml", 0) == 0;
}

std::string gzip(std::string_view data) {
    z_stream zs{};
    // 15 + 16: a gzip header and trailer around the deflate stream.
    if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::runtime_error("zlib: deflateInit2 failed");
    std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 32, '\0');
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs.avail_in = static_cast<uInt>(data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
    return out;
}

std::shared_ptr<const std::string> GzipCache::get(const std::filesystem::path& file, const std::string& etag) {
    const std::string key = file.string();
    {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(key); it != entries_.end() && it->second.etag == etag) return it->second.body;
    }
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    std::shared_ptr<const std::string> body;
    if (!ec && size <= kMaxFile) {
        std::ifstream in(file, std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (in.good() || in.eof()) {
            std::string z = gzip(data);
            if (z.size() < data.size()) body = std::make_shared<const std::string>(std::move(z));
        }
    }
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries && !entries_.count(key)) entries_.clear();
    entries_[key] = Entry{etag, body};
    return body;
}

}  // namespace chat::server
