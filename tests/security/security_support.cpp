// security_support.cpp — the helpers of security_support.hpp.
#include "security_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <iterator>

namespace chat::test {
namespace fs = std::filesystem;

SecureShop::SecureShop(const std::string& config, std::vector<std::pair<std::string, std::string>> users,
                       std::vector<std::string> args) {
    for (auto& [name, role] : users) add_user(data(), name, role);
    if (!config.empty()) std::ofstream(dir.path() / "chatd.json") << config;
    start(std::move(args));
}

void SecureShop::start(std::vector<std::string> args) {
    if (fs::exists(dir.path() / "chatd.json")) {
        args.push_back("--config");
        args.push_back((dir.path() / "chatd.json").string());
    }
    chatd.emplace(args, data());
}

void SecureShop::stop() {
    if (chatd) chatd->stop(SIGTERM, std::chrono::seconds(3));
    chatd.reset();
}

RunResult SecureShop::cli(std::vector<std::string> args) const {
    args.insert(args.begin(), chatd_path());
    args.push_back("--data");
    args.push_back(data().string());
    return run_program(args);
}

std::vector<nlohmann::json> SecureShop::events() const {
    std::vector<nlohmann::json> out;
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(data()))
        if (e.path().extension() == ".jsonl" && e.path().filename().string().rfind("events-", 0) == 0) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f);
        for (std::string line; std::getline(in, line);)
            if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    }
    return out;
}

std::string SecureShop::all_bytes() const {
    std::string all;
    for (const auto& e : fs::recursive_directory_iterator(data())) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
}

int raw_connect(unsigned short port) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::optional<std::chrono::milliseconds> wait_closed(int fd, std::chrono::milliseconds limit) {
    const auto start = std::chrono::steady_clock::now();
    char buf[4096];
    while (true) {
        const auto left = limit - std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        if (left.count() <= 0) return std::nullopt;
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
        const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    }
}

}  // namespace chat::test
