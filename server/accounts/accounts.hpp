// accounts.hpp — the agents' and managers' accounts of one data directory: AccountStore.
//
// Accounts live in `<data>/accounts.json` (format in account_file.cpp and docs/accounts.md).
// `chatd user …` changes the file while the server may be running; every change goes through
// the lock file, so two writers never lose each other's change, and the server notices a
// change by calling refresh() (cheap: one stat(2) when nothing changed).
//
// Thread-safety: every method may be called from any thread; one mutex guards the in-memory
// accounts. verify() holds it only to copy the hash, so a slow password check on a worker
// thread never blocks find()/refresh() on the server's strand. add(), remove() and
// set_password() hash outside the lock, then hold the mutex and the file lock while they
// read, change and replace the file (a few milliseconds, one fsync).
//
// With an AccountSource (Redis, --redis) the accounts live there instead and accounts.json
// is not read: refresh() asks the source whether its version moved and reloads when it did;
// a change is one atomic operation at the source, then a reload.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "account.hpp"
#include "account_file.hpp"
#include "account_source.hpp"
#include "password.hpp"

namespace chat::accounts {

class AccountStore {
public:
    // Reads `<data>/accounts.json` if it exists (a missing file or directory is an empty
    // store; nothing is created until the first change). Throws std::runtime_error naming the
    // file when it cannot be read or is not a valid accounts file.
    explicit AccountStore(std::filesystem::path data_dir, PasswordCost cost = PasswordCost::interactive());

    // Accounts kept in `source` (accounts.json is neither read nor written). Nothing is read
    // until the first refresh(), which throws when the source cannot be reached.
    explicit AccountStore(std::unique_ptr<AccountSource> source, PasswordCost cost = PasswordCost::interactive());
    ~AccountStore();

    AccountStore(const AccountStore&) = delete;
    AccountStore& operator=(const AccountStore&) = delete;

    const std::filesystem::path& data_dir() const { return data_; }
    std::filesystem::path file() const { return data_ / "accounts.json"; }
    // Where the accounts are kept, for messages: the file, or the source's description.
    std::string where() const;

    // Reloads the file when another process (or another store) replaced it; costs one
    // stat(2) when nothing changed, so the server calls it every ~500 ms. Returns true when
    // the accounts seen through this store changed since the previous call (changes made
    // through this store included). When `ended` is given, appends the names whose sessions
    // must end: accounts removed, or whose generation changed (re-created, new password).
    // Throws std::runtime_error when the file became unreadable or invalid; the accounts
    // loaded before stay in force and the next call tries again.
    bool refresh(std::vector<std::string>* ended = nullptr);

    std::optional<Account> find(std::string_view name) const;
    // Every account, sorted by name.
    std::vector<Account> list() const;

    // Creates an account: validates it (validate_account, validate_password), hashes the
    // password, draws a new generation and saves. `account.password_hash` and `generation`
    // are ignored; `created_ms` is kept as given. Returns the stored account. Throws
    // AccountError (invalid or exists: a name equal ignoring case is taken) or
    // std::runtime_error when the file cannot be written.
    Account add(Account account, std::string_view password);

    // Deletes the account; false when there is none of that name.
    bool remove(std::string_view name);

    // Replaces the password and draws a new generation, so the account's existing sessions
    // end. False when there is no such account; AccountError for a password that breaks
    // the rules.
    bool set_password(std::string_view name, std::string_view password);

    // True when the account exists and the password is its own. Slow (one argon2id verify,
    // about 0.1 s and 64 MiB). An unknown name costs the same: the password is checked
    // against a dummy hash of the same cost, so timing does not tell which names exist.
    bool verify(std::string_view name, std::string_view password) const;

private:
    std::filesystem::path lock_file() const { return data_ / "accounts.lock"; }
    // Replaces the in-memory accounts with `fresh`, recording what changed for refresh().
    void adopt(std::vector<Account> fresh, const FileStamp& stamp);
    // Under mu_: takes the file lock, rereads the file, applies `change` to the accounts and
    // saves them when it returns true. Returns what `change` returned.
    template <class Change>
    bool modify(Change&& change);
    void reload_now();
    const std::string& dummy_hash() const;

    std::filesystem::path data_;
    std::unique_ptr<AccountSource> source_;  // null: accounts.json
    std::uint64_t source_version_ = 0;
    bool source_loaded_ = false;
    bool source_lost_ = false;  // the source lost its version: reload in full until it has one
    PasswordCost cost_;
    mutable std::mutex mu_;
    std::vector<Account> accounts_;  // sorted by name
    FileStamp stamp_;
    bool pending_changed_ = false;
    std::vector<std::string> pending_ended_;

    mutable std::once_flag dummy_once_;
    mutable std::string dummy_hash_;
};

}  // namespace chat::accounts
