// chatd_process.cpp — fork/exec of chatd, port discovery, signals and exit codes.
#include "chatd_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace chat::test {
namespace fs = std::filesystem;

std::string chatd_path() { return CHAT_TEST_CHATD; }
fs::path source_dir() { return CHAT_TEST_SOURCE_DIR; }

TempDir::TempDir() {
    std::random_device rd;
    for (int i = 0; i < 100; ++i) {
        path_ = fs::temp_directory_path() / ("chat-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
        if (fs::create_directory(path_)) return;
    }
    throw std::runtime_error("cannot create a temporary directory");
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

namespace {
std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<int> wait_exit(int pid, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        pid_t r = ::waitpid(pid, &status, WNOHANG);
        if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (r < 0) return -1;
        if (std::chrono::steady_clock::now() > until) return std::nullopt;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}
}  // namespace

ChatdProcess::ChatdProcess(std::vector<std::string> args, std::optional<fs::path> data) {
    if (data) {
        data_ = *data;
    } else {
        own_data_.emplace();
        data_ = own_data_->path() / "data";
    }
    log_ = data_.parent_path() / ("chatd-" + std::to_string(::getpid()) + "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".log");
    auto has = [&](const std::string& flag) {
        for (auto& a : args)
            if (a == flag || a.rfind(flag + "=", 0) == 0) return true;
        return false;
    };
    std::vector<std::string> argv{chatd_path()};
    if (!has("--listen")) argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
    if (!has("--data")) argv.insert(argv.end(), {"--data", data_.string()});
    if (!has("--web-root")) argv.insert(argv.end(), {"--web-root", (source_dir() / "web-widget").string()});
    if (!has("--faq")) argv.insert(argv.end(), {"--faq", (source_dir() / "faq").string()});
    if (!has("--threads")) argv.insert(argv.end(), {"--threads", "2"});
    argv.insert(argv.end(), args.begin(), args.end());

    fs::create_directories(log_.parent_path());
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    static const std::regex listening(R"(listening on https?://[^ ]*:(\d+))");
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < until) {
        std::smatch m;
        std::string out = slurp(log_);
        if (std::regex_search(out, m, listening)) {
            port_ = static_cast<unsigned short>(std::stoi(m[1]));
            return;
        }
        if (auto code = wait_exit(pid_, std::chrono::milliseconds(0))) {
            pid_ = -1;
            throw std::runtime_error("chatd exited with " + std::to_string(*code) + ": " + out);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::string out = slurp(log_);
    stop(SIGKILL);
    throw std::runtime_error("chatd did not start listening: " + out);
}

ChatdProcess::~ChatdProcess() {
    if (pid_ > 0) {
        // A chatd that died on its own during a test is a crash: say so loudly, and fail.
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_ && WIFSIGNALED(status)) {
            std::fprintf(stderr, "chatd (pid %d) died of signal %d during the test; its output:\n%s\n", pid_,
                         WTERMSIG(status), slurp(log_).c_str());
            std::abort();
        }
        if (::kill(pid_, 0) == 0) stop(SIGKILL);
        pid_ = -1;
    }
    // Under a sanitizer, a report from chatd fails the test even when chatd carried on (or
    // exited with the sanitizer's code rather than a signal).
    const std::string out = slurp(log_);
    for (const char* marker : {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:", "WARNING: ThreadSanitizer"}) {
        if (out.find(marker) != std::string::npos) {
            std::fprintf(stderr, "chatd reported \"%s\" during the test; its output:\n%s\n", marker, out.c_str());
            std::abort();
        }
    }
    std::error_code ec;
    fs::remove(log_, ec);
}

std::optional<int> ChatdProcess::stop(int sig, std::chrono::milliseconds timeout) {
    if (pid_ <= 0) return std::nullopt;
    ::kill(pid_, sig);
    auto code = wait_exit(pid_, timeout);
    if (!code) {
        ::kill(pid_, SIGKILL);
        wait_exit(pid_, std::chrono::seconds(5));
    }
    pid_ = -1;
    return code;
}

std::string ChatdProcess::output() const { return slurp(log_); }

RunResult run_program(const std::vector<std::string>& argv, const std::string& input) {
    int in_pipe[2], out_pipe[2];
    if (::pipe(in_pipe) != 0 || ::pipe(out_pipe) != 0) throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(in_pipe[0], 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(out_pipe[1], 2);
        ::close(in_pipe[1]);
        ::close(out_pipe[0]);
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
        cargv.push_back(nullptr);
        ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    ::close(in_pipe[0]);
    ::close(out_pipe[1]);
    std::thread writer([&] {
        std::size_t off = 0;
        while (off < input.size()) {
            ssize_t n = ::write(in_pipe[1], input.data() + off, input.size() - off);
            if (n <= 0) break;
            off += static_cast<std::size_t>(n);
        }
        ::close(in_pipe[1]);
    });
    std::string out;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(out_pipe[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    ::close(out_pipe[0]);
    writer.join();
    int status = 0;
    ::waitpid(pid, &status, 0);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), out};
}

}  // namespace chat::test
