// account_file.hpp — `<data>/accounts.json` on disk: its JSON form, how it is replaced, and the
// lock that serialises writers.
//
// Writers (the server and any number of `chatd user` processes) take an exclusive flock on
// `<data>/accounts.lock`, read the file, change it and replace it atomically (temporary file,
// fsync, rename, fsync of the directory), so a reader sees either the old file or the new one,
// never half of one, and no writer loses another's change. Readers take no lock.
// A FileStamp (inode, size, times) tells a reader cheaply whether the file was replaced.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "account.hpp"

namespace chat::accounts {

// What stat(2) says about a file; equal stamps mean "not replaced since".
struct FileStamp {
    bool exists = false;
    std::uint64_t dev = 0, ino = 0, size = 0;
    std::int64_t mtime_ns = 0, ctime_ns = 0;
    bool operator==(const FileStamp&) const = default;
};

// The stamp of `file` (exists = false when it is missing). Throws std::runtime_error naming
// the file for any other error.
FileStamp stamp_of(const std::filesystem::path& file);

// A file's bytes together with the stamp of the very inode they were read from.
struct FileSnapshot {
    std::string bytes;
    FileStamp stamp;
};
// nullopt when the file is missing; throws std::runtime_error naming it on other errors.
std::optional<FileSnapshot> read_snapshot(const std::filesystem::path& file);

// The accounts held in the file's bytes, sorted by name. Throws std::runtime_error naming
// `where` (and the account at fault) when the bytes are not a valid accounts file.
std::vector<Account> parse_accounts(std::string_view bytes, const std::filesystem::path& where);
// The file's bytes for `accounts` (written in the order given).
std::string serialize_accounts(const std::vector<Account>& accounts);

// Replaces `file` with `bytes` atomically, mode 0600. Throws std::runtime_error naming the
// file on failure, leaving the old file in place.
void replace_file(const std::filesystem::path& file, std::string_view bytes);

// An exclusive flock(2) on `lock_file` (created with mode 0600), held until destruction.
// Blocks while another process or another FileLock in this process holds it.
class FileLock {
public:
    explicit FileLock(const std::filesystem::path& lock_file);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    int fd_ = -1;
};

}  // namespace chat::accounts
