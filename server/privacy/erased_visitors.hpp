// erased_visitors.hpp — the list of erased visitors, shared by `chatd visitor erase` and a
// running chatd through one file in the data directory.
//
// `<data>/privacy/erased-visitors` holds one {"visitor","ts"} line per erasure, appended under
// an flock. The CLI appends before it blanks anything; chatd checks the file's size every
// 100 ms, and for each new visitor closes their connections, refuses their token from then on
// (an erased visitor id is never used again: the widget gets a new one), blanks what it wrote
// meanwhile and rebuilds its state from the log, so erased texts stop being served at once.
// The same pattern as accounts.json and `chatd user remove`.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace chat::privacy {

class ErasedVisitors {
public:
    explicit ErasedVisitors(std::filesystem::path data);

    // Appends `visitor` to the list (creating it with mode 0600). Throws std::runtime_error.
    static void record(const std::filesystem::path& data, const std::string& visitor, std::int64_t ts_ms);

    bool contains(const std::string& visitor) const;
    // Reads what was appended since the last call; returns the visitors new to this process.
    std::vector<std::string> refresh();

private:
    std::filesystem::path file_;
    mutable std::mutex mu_;
    std::set<std::string> erased_;
    std::uint64_t read_up_to_ = 0;
};

// Held while texts are blanked (`<data>/privacy/erase.lock`, flock): by `chatd visitor erase`
// from before it records the visitor until its pass is done, and by chatd's own passes, so
// the command's pass runs first and its counts are the texts it erased.
class EraseLock {
public:
    explicit EraseLock(const std::filesystem::path& data);
    ~EraseLock();
    EraseLock(const EraseLock&) = delete;
    EraseLock& operator=(const EraseLock&) = delete;

private:
    int fd_ = -1;
};

// Audit events a CLI command could not append itself because a chatd holds the log: queued in
// `<data>/privacy/audit-queue`, appended to the log by that chatd (drain_audit_queue).
void queue_audit(const std::filesystem::path& data, const std::string& event_line);
std::vector<std::string> drain_audit_queue(const std::filesystem::path& data);

}  // namespace chat::privacy
