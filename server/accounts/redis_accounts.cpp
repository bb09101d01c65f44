// redis_accounts.cpp — RedisAccounts: the accounts hash and its version counter in Redis,
// read and changed over a blocking hiredis connection.
#include "redis_accounts.hpp"

#include <hiredis/hiredis.h>

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "account_file.hpp"
#include "redis_url.hpp"

namespace chat::accounts {
namespace {

using json = nlohmann::json;

constexpr auto kTimeout = std::chrono::seconds(1);
constexpr auto kRetryEvery = std::chrono::seconds(1);

// KEYS[1] accounts hash, KEYS[2] version. ARGV: name, record. Returns the clashing name or "".
constexpr const char* kInsert = R"(
local want = string.lower(ARGV[1])
for _, n in ipairs(redis.call('HKEYS', KEYS[1])) do
  if string.lower(n) == want then return n end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[2])
return ''
)";
constexpr const char* kErase = R"(
if redis.call('HDEL', KEYS[1], ARGV[1]) == 1 then redis.call('INCR', KEYS[2]) return 1 end
return 0
)";
constexpr const char* kReplace = R"(
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('INCR', KEYS[2])
return 1
)";

// One account's JSON record, exactly as accounts.json holds it.
std::string record_of(const Account& a) { return json::parse(serialize_accounts({a}))["accounts"][0].dump(); }

timeval to_timeval(std::chrono::milliseconds d) {
    return timeval{static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>(d.count() % 1000 * 1000)};
}

}  // namespace

struct RedisAccounts::Reply {
    std::unique_ptr<redisReply, void (*)(void*)> r{nullptr, freeReplyObject};
};

RedisAccounts::RedisAccounts(const std::string& url) {
    const auto u = cluster::RedisUrl::parse(url);
    host_ = u.host;
    port_ = u.port;
    password_ = u.password;
    db_ = u.db;
    described_ = u.describe();
}

RedisAccounts::~RedisAccounts() { drop(); }

std::string RedisAccounts::where() const { return "redis " + described_ + " (key " + kAccountsKey + ")"; }

void RedisAccounts::drop() {
    if (ctx_) redisFree(ctx_);
    ctx_ = nullptr;
}

redisContext* RedisAccounts::connection() {
    if (ctx_) return ctx_;
    const auto now = std::chrono::steady_clock::now();
    if (now < retry_at_) throw std::runtime_error(last_error_);
    retry_at_ = now + kRetryEvery;
    const timeval tv = to_timeval(kTimeout);
    ctx_ = redisConnectWithTimeout(host_.c_str(), port_, tv);
    if (!ctx_ || ctx_->err) {
        last_error_ = "cannot reach Redis at " + described_ + ": " + (ctx_ ? ctx_->errstr : "out of memory");
        drop();
        throw std::runtime_error(last_error_);
    }
    redisSetTimeout(ctx_, tv);
    try {
        if (!password_.empty()) command({"AUTH", password_});
        if (db_ != 0) command({"SELECT", std::to_string(db_)});
    } catch (...) {
        drop();
        throw;
    }
    return ctx_;
}

RedisAccounts::Reply RedisAccounts::command(const std::vector<std::string>& argv) {
    redisContext* c = connection();
    std::vector<const char*> args;
    std::vector<std::size_t> lens;
    for (const auto& a : argv) args.push_back(a.data()), lens.push_back(a.size());
    Reply reply;
    reply.r.reset(static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data())));
    if (!reply.r) {
        last_error_ = "Redis at " + described_ + ": " + (c->errstr[0] ? c->errstr : "connection lost");
        drop();
        throw std::runtime_error(last_error_);
    }
    if (reply.r->type == REDIS_REPLY_ERROR)
        throw std::runtime_error("Redis at " + described_ + " refused " + argv[0] + ": " +
                                 std::string(reply.r->str, reply.r->len));
    return reply;
}

std::optional<AccountSource::Snapshot> RedisAccounts::load(std::uint64_t known, bool force) {
    std::lock_guard lock(mu_);
    // The version first: a change made between the two reads is seen again next time.
    Reply v = command({"GET", kVersionKey});
    std::uint64_t version = 0;
    if (v.r->type == REDIS_REPLY_STRING) version = std::stoull(std::string(v.r->str, v.r->len));
    if (!force && version == known) return std::nullopt;
    Reply all = command({"HGETALL", kAccountsKey});
    if (all.r->type != REDIS_REPLY_ARRAY) throw std::runtime_error(where() + ": not a hash");
    json doc = {{"format", 1}, {"accounts", json::array()}};
    for (std::size_t i = 1; i < all.r->elements; i += 2) {
        const redisReply* value = all.r->element[i];
        auto record = json::parse(std::string(value->str, value->len), nullptr, false);
        if (!record.is_object())
            throw std::runtime_error(where() + ": the record of '" +
                                     std::string(all.r->element[i - 1]->str, all.r->element[i - 1]->len) +
                                     "' is not a JSON object");
        doc["accounts"].push_back(std::move(record));
    }
    // The same strict checks as accounts.json (fields, rules, duplicates), naming the key.
    return Snapshot{version, parse_accounts(doc.dump(), where())};
}

std::optional<std::string> RedisAccounts::insert(const Account& account) {
    std::lock_guard lock(mu_);
    Reply r = command({"EVAL", kInsert, "2", kAccountsKey, kVersionKey, account.name, record_of(account)});
    if (r.r->type == REDIS_REPLY_STRING && r.r->len > 0) return std::string(r.r->str, r.r->len);
    return std::nullopt;
}

bool RedisAccounts::erase(std::string_view name) {
    std::lock_guard lock(mu_);
    Reply r = command({"EVAL", kErase, "2", kAccountsKey, kVersionKey, std::string(name)});
    return r.r->type == REDIS_REPLY_INTEGER && r.r->integer == 1;
}

bool RedisAccounts::replace(const Account& account) {
    std::lock_guard lock(mu_);
    Reply r = command({"EVAL", kReplace, "2", kAccountsKey, kVersionKey, account.name, record_of(account)});
    return r.r->type == REDIS_REPLY_INTEGER && r.r->integer == 1;
}

}  // namespace chat::accounts
