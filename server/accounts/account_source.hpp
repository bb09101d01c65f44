// account_source.hpp — where an AccountStore keeps its accounts when it is not the data
// directory's accounts.json: today Redis (redis_accounts.hpp), shared by every node.
//
// A source is a plain blocking interface; the server calls it from its blocking pool only.
// Each change is atomic at the source and bumps a version, so a reader reloads only when
// something changed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "account.hpp"

namespace chat::accounts {

class AccountSource {
public:
    virtual ~AccountSource() = default;
    // Where the accounts are, for messages ("redis 127.0.0.1:6379 key {chat}:accounts").
    virtual std::string where() const = 0;

    struct Snapshot {
        std::uint64_t version = 0;
        std::vector<Account> accounts;  // sorted by name
    };
    // Every account when the version differs from `known` (or `force`), else nullopt.
    // Throws std::runtime_error naming the source when it cannot be reached or holds a bad
    // record.
    virtual std::optional<Snapshot> load(std::uint64_t known, bool force) = 0;
    // Adds `account` unless a name equal ignoring case exists: then returns that name.
    virtual std::optional<std::string> insert(const Account& account) = 0;
    // Deletes the account; false when there was none.
    virtual bool erase(std::string_view name) = 0;
    // Replaces an existing account's record; false when there is none of that name.
    virtual bool replace(const Account& account) = 0;
};

}  // namespace chat::accounts
