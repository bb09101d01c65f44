// identity.cpp — random identifiers from getrandom(2) and the persistent node id.
#include "identity.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/hmac.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <vector>

namespace chat::server {

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    std::size_t got = 0;
    while (got < bytes) {
        ssize_t n = ::getrandom(buf.data() + got, bytes - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
        }
        got += static_cast<std::size_t>(n);
    }
    static const char* digits = "0123456789abcdef";
    std::string out(bytes * 2, '0');
    for (std::size_t i = 0; i < bytes; ++i) {
        out[2 * i] = digits[buf[i] >> 4];
        out[2 * i + 1] = digits[buf[i] & 15];
    }
    return out;
}

std::string load_or_create_node_id(const std::filesystem::path& data) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(data, ec);
    if (ec) throw std::runtime_error("cannot create data directory " + data.string() + ": " + ec.message());
    fs::path file = data / "node-id";
    if (std::ifstream in{file}) {
        std::string id;
        std::getline(in, id);
        if (!id.empty()) return id;
    }
    std::string id = "n" + random_hex(4);
    fs::path tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << id << '\n';
        if (!out.flush()) throw std::runtime_error("cannot write " + tmp.string());
    }
    fs::rename(tmp, file, ec);
    if (ec) throw std::runtime_error("cannot write " + file.string() + ": " + ec.message());
    return id;
}

std::string load_or_create_secret(const std::filesystem::path& data) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(data, ec);
    const fs::path file = data / "secret";
    if (std::ifstream in{file, std::ios::binary}) {
        std::string key((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (key.size() == 32) return key;
        throw std::runtime_error(file.string() + ": expected 32 bytes, found " + std::to_string(key.size()));
    }
    std::string key(32, '\0');
    std::size_t got = 0;
    while (got < key.size()) {
        ssize_t n = ::getrandom(key.data() + got, key.size() - got, 0);
        if (n < 0 && errno != EINTR) throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
        if (n > 0) got += static_cast<std::size_t>(n);
    }
    const fs::path tmp = data / "secret.tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ::write(fd, key.data(), key.size()) != static_cast<ssize_t>(key.size()) || ::fsync(fd) != 0) {
        if (fd >= 0) ::close(fd);
        throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
    }
    ::close(fd);
    // Two processes starting at once (server and a `chatd user` command): the first wins.
    if (::link(tmp.c_str(), file.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return load_or_create_secret(data);
    }
    ::unlink(tmp.c_str());
    return key;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view message) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
         message.size(), out, &len);
    static const char* digits = "0123456789abcdef";
    std::string hex(2 * len, '0');
    for (unsigned i = 0; i < len; ++i) {
        hex[2 * i] = digits[out[i] >> 4];
        hex[2 * i + 1] = digits[out[i] & 15];
    }
    return hex;
}

std::string new_visitor_id() { return "v" + random_hex(16); }  // 128 random bits

std::string visitor_token(std::string_view secret, std::string_view visitor) {
    std::string msg = "visitor:";
    msg += visitor;
    return std::string(visitor) + "." + hmac_sha256_hex(secret, msg).substr(0, 40);
}

std::string visitor_of_token(std::string_view secret, std::string_view token) {
    const auto dot = token.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || token.size() > 200) return {};
    const std::string_view visitor = token.substr(0, dot);
    if (visitor.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string_view::npos) return {};
    if (!constant_time_equal(visitor_token(secret, visitor), token)) return {};
    return std::string(visitor);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

}  // namespace chat::server
