// chatd_process.hpp — starts the real chatd binary for integration tests.
//
// Each test gets its own chatd on a free loopback port (--listen 127.0.0.1:0; the port is read
// from the "listening on" line chatd prints) and its own fresh data directory, so tests can
// run in parallel and never touch port 8080. The process is stopped with a signal and its
// exit code and stop time are available for assertions.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace chat::test {

// A fresh empty directory under the system temp dir, removed by the destructor.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

class ChatdProcess {
public:
    // Starts chatd with `args` (plus --listen 127.0.0.1:0 and --data DIR unless given) and
    // waits for it to listen. Throws std::runtime_error with chatd's output if it does not.
    explicit ChatdProcess(std::vector<std::string> args = {}, std::optional<std::filesystem::path> data = {});
    ~ChatdProcess();
    ChatdProcess(const ChatdProcess&) = delete;
    ChatdProcess& operator=(const ChatdProcess&) = delete;

    unsigned short port() const { return port_; }
    const std::filesystem::path& data_dir() const { return data_; }
    int pid() const { return pid_; }

    // Sends `sig` and waits up to `timeout` for the process to exit. Returns its exit code
    // (128 + signal when killed by one), or nullopt if it was still running (then SIGKILLed).
    std::optional<int> stop(int sig, std::chrono::milliseconds timeout = std::chrono::seconds(5));

    // Everything chatd wrote to stdout and stderr so far.
    std::string output() const;

private:
    std::optional<TempDir> own_data_;
    std::filesystem::path data_;
    std::filesystem::path log_;
    int pid_ = -1;
    unsigned short port_ = 0;
};

// Runs a program to completion with `input` on stdin; returns exit code and combined output.
struct RunResult {
    int code;
    std::string out;
};
RunResult run_program(const std::vector<std::string>& argv, const std::string& input = "");

// Path of the chatd binary and of the repository's web-widget/ and faq/ directories.
std::string chatd_path();
std::filesystem::path source_dir();

}  // namespace chat::test
