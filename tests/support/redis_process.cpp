// redis_process.cpp — fork/exec of redis-server on a free port, readiness by PING, kill.
#include "redis_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace chat::test {
namespace fs = std::filesystem;

namespace {
// A port the kernel had free a moment ago (bound to 0, read back, closed).
unsigned short free_port() {
    int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (s < 0 || ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        if (s >= 0) ::close(s);
        throw std::runtime_error("cannot find a free port");
    }
    ::close(s);
    return ntohs(a.sin_port);
}
}  // namespace

bool redis_answers(unsigned short port, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    do {
        int s = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::send(s, "PING\r\n", 6, MSG_NOSIGNAL) == 6) {
            pollfd p{s, POLLIN, 0};
            char buf[16] = {};
            if (::poll(&p, 1, 500) == 1 && ::read(s, buf, sizeof buf - 1) > 0 && std::string(buf).rfind("+PONG", 0) == 0) {
                ::close(s);
                return true;
            }
        }
        ::close(s);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    } while (std::chrono::steady_clock::now() < until);
    return false;
}

RedisProcess::RedisProcess() {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("chat-redis-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_);
    for (int attempt = 0;; ++attempt) {
        port_ = free_port();
        try {
            launch();
            return;
        } catch (const std::runtime_error&) {
            if (attempt == 4) {
                std::error_code ec;
                std::string why = log();
                fs::remove_all(dir_, ec);
                throw std::runtime_error("redis-server did not start: " + why);
            }
        }
    }
}

RedisProcess::~RedisProcess() {
    stop(SIGKILL);
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

void RedisProcess::launch() {
    const std::string port = std::to_string(port_);
    std::vector<std::string> argv{"redis-server", "--port", port, "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--daemonize", "no", "--dir", dir_.string(),
                                  "--logfile", (dir_ / "redis.log").string()};
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int devnull = ::open("/dev/null", O_RDWR);
        ::dup2(devnull, 0);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        ::execvp(cargv[0], cargv.data());
        ::_exit(127);
    }
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
        if (redis_answers(port_, std::chrono::milliseconds(50))) return;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: the port was taken, or no redis-server
            pid_ = -1;
            throw std::runtime_error("redis-server exited");
        }
    }
    stop(SIGKILL);
    throw std::runtime_error("redis-server did not answer");
}

void RedisProcess::stop(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

void RedisProcess::start() {
    if (pid_ > 0) return;
    // The port may linger in TIME_WAIT on the client side only; redis-server sets SO_REUSEADDR.
    for (int attempt = 0;; ++attempt) {
        try {
            return launch();
        } catch (const std::runtime_error&) {
            if (attempt == 20) throw std::runtime_error("redis-server did not start again on port " +
                                                        std::to_string(port_) + ": " + log());
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
}

std::string RedisProcess::log() const {
    std::ifstream in(dir_ / "redis.log");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace chat::test
