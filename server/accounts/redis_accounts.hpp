// redis_accounts.hpp — accounts kept in Redis, shared by every chatd node (--redis).
//
// Keys (hash tag {chat}, like the cluster's own keys):
//   {chat}:accounts          hash NAME -> the account's JSON record, the same object
//                            accounts.json holds (password hash and generation included)
//   {chat}:accounts:version  counter, incremented by every change
// Every change is one Lua script (check and write at once), so two `chatd user` runs never
// lose each other's change and a name equal ignoring case is refused atomically.
//
// A plain blocking hiredis connection with short timeouts (connect and each command 1 s),
// opened on first use and again after any failure (at most one attempt per second).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "account_source.hpp"

struct redisContext;

namespace chat::accounts {

class RedisAccounts final : public AccountSource {
public:
    // `url`: redis://[:PASSWORD@]HOST:PORT[/DB]. Throws std::invalid_argument when it is not
    // one. Connects lazily.
    explicit RedisAccounts(const std::string& url);
    ~RedisAccounts() override;

    std::string where() const override;
    std::optional<Snapshot> load(std::uint64_t known, bool force) override;
    std::optional<std::string> insert(const Account& account) override;
    bool erase(std::string_view name) override;
    bool replace(const Account& account) override;

    static constexpr const char* kAccountsKey = "{chat}:accounts";
    static constexpr const char* kVersionKey = "{chat}:accounts:version";

private:
    struct Reply;
    redisContext* connection();  // under mu_; throws when Redis cannot be reached
    void drop();                 // under mu_
    Reply command(const std::vector<std::string>& argv);  // under mu_

    std::string host_, password_, described_;
    int port_ = 6379, db_ = 0;
    std::mutex mu_;
    redisContext* ctx_ = nullptr;
    std::chrono::steady_clock::time_point retry_at_{};
    std::string last_error_;
};

}  // namespace chat::accounts
