// erased_visitors.cpp — the erased list and the audit queue: small append-only files
// under an flock, read incrementally.
#include "erased_visitors.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace chat::privacy {
namespace fs = std::filesystem;

namespace {

fs::path dir_of(const fs::path& data) { return data / "privacy"; }

// An open, flocked file; unlocked and closed on scope exit.
struct Locked {
    int fd = -1;
    Locked(const fs::path& path, int flags) {
        std::error_code ec;
        fs::create_directories(path.parent_path(), ec);
        fd = ::open(path.c_str(), flags | O_CLOEXEC, 0600);
        if (fd < 0 && errno == ENOENT && !(flags & O_CREAT)) return;
        if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
        while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
        }
    }
    ~Locked() {
        if (fd >= 0) ::close(fd);
    }
};

void append_line(const fs::path& path, std::string line) {
    Locked f(path, O_WRONLY | O_CREAT | O_APPEND);
    line += '\n';
    if (::write(f.fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fsync(f.fd) != 0)
        throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

std::string read_from(int fd, std::uint64_t offset) {
    std::string out;
    char buf[8192];
    for (ssize_t n; (n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(offset + out.size()))) > 0;)
        out.append(buf, static_cast<std::size_t>(n));
    return out;
}

}  // namespace

ErasedVisitors::ErasedVisitors(fs::path data) : file_(dir_of(data) / "erased-visitors") { refresh(); }

void ErasedVisitors::record(const fs::path& data, const std::string& visitor, std::int64_t ts_ms) {
    append_line(dir_of(data) / "erased-visitors", nlohmann::json{{"visitor", visitor}, {"ts", ts_ms}}.dump());
}

bool ErasedVisitors::contains(const std::string& visitor) const {
    std::lock_guard lock(mu_);
    return erased_.count(visitor) != 0;
}

std::vector<std::string> ErasedVisitors::refresh() {
    std::error_code ec;
    const auto size = fs::file_size(file_, ec);
    std::lock_guard lock(mu_);
    if (ec || size <= read_up_to_) return {};
    const int fd = ::open(file_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string text = read_from(fd, read_up_to_);
    ::close(fd);
    text.erase(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1);  // keep a partial line for later
    read_up_to_ += text.size();
    std::vector<std::string> fresh;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
        auto j = nlohmann::json::parse(text.substr(start, nl - start), nullptr, false);
        if (!j.is_object() || !j.contains("visitor") || !j["visitor"].is_string()) continue;
        if (erased_.insert(j["visitor"].get<std::string>()).second) fresh.push_back(j["visitor"]);
    }
    return fresh;
}

EraseLock::EraseLock(const fs::path& data) {
    Locked lock(dir_of(data) / "erase.lock", O_RDWR | O_CREAT);
    fd_ = lock.fd;
    lock.fd = -1;  // kept open (and locked) until destruction
}

EraseLock::~EraseLock() {
    if (fd_ >= 0) ::close(fd_);
}

void queue_audit(const fs::path& data, const std::string& event_line) {
    append_line(dir_of(data) / "audit-queue", event_line);
}

std::vector<std::string> drain_audit_queue(const fs::path& data) {
    const fs::path path = dir_of(data) / "audit-queue";
    Locked f(path, O_RDWR);
    if (f.fd < 0) return {};
    const std::string text = read_from(f.fd, 0);
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
        if (nl > start) lines.push_back(text.substr(start, nl - start));
    if (::ftruncate(f.fd, 0) != 0) throw std::runtime_error("cannot truncate " + path.string() + ": " + std::strerror(errno));
    return lines;
}

}  // namespace chat::privacy
