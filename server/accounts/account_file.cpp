// account_file.cpp — reading, parsing, writing and locking `<data>/accounts.json`.
//
// Format (version 1), accounts sorted by name:
//   {"format":1,"accounts":[{"name":"alice","role":"agent","langs":["fr","en"],"capacity":3,
//     "password_hash":"$argon2id$…","created_ms":1700000000000,"generation":123456789}]}
#include "account_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace chat::accounts {
namespace {

using json = nlohmann::json;
constexpr int kFormat = 1;

std::runtime_error os_error(const std::string& what, const std::filesystem::path& file) {
    return std::runtime_error(what + " " + file.string() + ": " + std::strerror(errno));
}

FileStamp stamp_from(const struct stat& st) {
    FileStamp s;
    s.exists = true;
    s.dev = static_cast<std::uint64_t>(st.st_dev);
    s.ino = static_cast<std::uint64_t>(st.st_ino);
    s.size = static_cast<std::uint64_t>(st.st_size);
    s.mtime_ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    s.ctime_ns = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
    return s;
}

void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::strerror(errno));
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
}

Account account_from_json(const json& j) {
    Account a;
    a.name = j.at("name").get<std::string>();
    const auto role = parse_role(j.at("role").get<std::string>());
    if (!role) throw std::runtime_error("role: expected agent or manager");
    a.role = *role;
    a.langs = j.at("langs").get<std::vector<std::string>>();
    a.capacity = j.at("capacity").get<int>();
    a.password_hash = j.at("password_hash").get<std::string>();
    a.created_ms = j.at("created_ms").get<std::int64_t>();
    a.generation = j.at("generation").get<std::uint64_t>();
    validate_account(a);
    if (a.password_hash.rfind("$argon2id$", 0) != 0) throw std::runtime_error("password_hash: not an argon2id hash");
    return a;
}

}  // namespace

FileStamp stamp_of(const std::filesystem::path& file) {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return {};
        throw os_error("cannot stat", file);
    }
    return stamp_from(st);
}

std::optional<FileSnapshot> read_snapshot(const std::filesystem::path& file) {
    const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
        throw os_error("cannot read", file);
    }
    FileSnapshot snap;
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const auto e = os_error("cannot stat", file);
        ::close(fd);
        throw e;
    }
    snap.stamp = stamp_from(st);
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            const auto e = os_error("cannot read", file);
            ::close(fd);
            throw e;
        }
        snap.bytes.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return snap;
}

std::vector<Account> parse_accounts(std::string_view bytes, const std::filesystem::path& where) {
    json doc;
    try {
        doc = json::parse(bytes);
    } catch (const json::exception& e) {
        throw std::runtime_error(where.string() + ": not valid JSON (" + e.what() + ")");
    }
    if (!doc.is_object() || !doc.contains("format") || !doc["format"].is_number_integer())
        throw std::runtime_error(where.string() + ": not an accounts file (no \"format\")");
    if (doc["format"].get<long long>() != kFormat)
        throw std::runtime_error(where.string() + ": unsupported format " + doc["format"].dump() +
                                 " (this chatd reads format " + std::to_string(kFormat) + ")");
    if (!doc.contains("accounts") || !doc["accounts"].is_array())
        throw std::runtime_error(where.string() + ": \"accounts\" must be an array");
    std::vector<Account> out;
    std::set<std::string> seen;
    std::size_t index = 0;
    for (const auto& item : doc["accounts"]) {
        try {
            out.push_back(account_from_json(item));
        } catch (const std::exception& e) {
            throw std::runtime_error(where.string() + ": account #" + std::to_string(index + 1) + ": " + e.what());
        }
        if (!seen.insert(out.back().name).second)
            throw std::runtime_error(where.string() + ": account '" + out.back().name + "' appears twice");
        ++index;
    }
    std::sort(out.begin(), out.end(), [](const Account& a, const Account& b) { return a.name < b.name; });
    return out;
}

std::string serialize_accounts(const std::vector<Account>& accounts) {
    json list = json::array();
    for (const auto& a : accounts) {
        list.push_back({{"name", a.name},
                        {"role", role_name(a.role)},
                        {"langs", a.langs},
                        {"capacity", a.capacity},
                        {"password_hash", a.password_hash},
                        {"created_ms", a.created_ms},
                        {"generation", a.generation}});
    }
    json doc = {{"format", kFormat}, {"accounts", std::move(list)}};
    return doc.dump(2) + "\n";
}

void replace_file(const std::filesystem::path& file, std::string_view bytes) {
    std::filesystem::path tmp = file;
    tmp += ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw os_error("cannot write", tmp);
    try {
        // The mode given to open() only applies to a new file, and the umask may narrow it
        // but never widen it; fchmod makes 0600 certain.
        if (::fchmod(fd, 0600) != 0) throw std::runtime_error(std::strerror(errno));
        write_all(fd, bytes);
        if (::fsync(fd) != 0) throw std::runtime_error(std::strerror(errno));
    } catch (const std::exception& e) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw std::runtime_error("cannot write " + tmp.string() + ": " + e.what());
    }
    if (::close(fd) != 0) {
        const auto e = os_error("cannot write", tmp);
        ::unlink(tmp.c_str());
        throw e;
    }
    if (::rename(tmp.c_str(), file.c_str()) != 0) {
        const auto e = os_error("cannot replace", file);
        ::unlink(tmp.c_str());
        throw e;
    }
    // The rename itself is durable only once the directory is.
    const auto dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

FileLock::FileLock(const std::filesystem::path& lock_file) {
    fd_ = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0) throw os_error("cannot open lock file", lock_file);
    while (::flock(fd_, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        const auto e = os_error("cannot lock", lock_file);
        ::close(fd_);
        throw e;
    }
}

FileLock::~FileLock() {
    if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the flock
}

}  // namespace chat::accounts
