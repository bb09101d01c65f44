// identity.cpp — random identifiers from getrandom(2) and the persistent node id.
#include "identity.hpp"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <fstream>
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

}  // namespace chat::server
