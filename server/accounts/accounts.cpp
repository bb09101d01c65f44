// accounts.cpp — AccountStore: the in-memory view of accounts.json, kept in step with the
// file, and the slow password checks done outside its lock.
#include "accounts.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "identity.hpp"

namespace chat::accounts {
namespace {

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// A random non-zero 53-bit number (exact in any JSON reader), different from `previous`.
// Random rather than a counter so that deleting accounts.json and re-creating an account can
// never bring an old session token back to life.
std::uint64_t new_generation(std::uint64_t previous) {
    for (;;) {
        const std::uint64_t g = std::stoull(chat::server::random_hex(8), nullptr, 16) & ((std::uint64_t{1} << 53) - 1);
        if (g != 0 && g != previous) return g;
    }
}

std::vector<Account>::iterator find_in(std::vector<Account>& v, std::string_view name) {
    return std::find_if(v.begin(), v.end(), [&](const Account& a) { return a.name == name; });
}

}  // namespace

AccountStore::AccountStore(std::filesystem::path data_dir, PasswordCost cost) : data_(std::move(data_dir)), cost_(cost) {
    std::lock_guard lock(mu_);
    reload_now();
    pending_changed_ = false;
    pending_ended_.clear();
}

AccountStore::AccountStore(std::unique_ptr<AccountSource> source, PasswordCost cost)
    : source_(std::move(source)), cost_(cost) {}

AccountStore::~AccountStore() = default;

std::string AccountStore::where() const { return source_ ? source_->where() : file().string(); }

void AccountStore::reload_now() {
    if (source_) {
        // After a loss the counter starts again from 0 and may come back to the value we hold,
        // so every load is a full one until the source has a version again.
        auto snap = source_->load(source_version_, !source_loaded_ || source_lost_);
        if (!snap) return;
        // Every change bumps the version, so it never goes back to none: Redis lost its data
        // (restarted without persistence, flushed). Removing everyone would be worse.
        source_lost_ = snap->version == 0 && source_version_ != 0;
        if (source_lost_)
            throw std::runtime_error(source_->where() +
                                     " holds no accounts any more (Redis lost its data?); add them again");
        adopt(std::move(snap->accounts), FileStamp{});
        source_version_ = snap->version;
        source_loaded_ = true;
        return;
    }
    auto snap = read_snapshot(file());
    if (!snap) {
        adopt({}, FileStamp{});
        return;
    }
    adopt(parse_accounts(snap->bytes, file()), snap->stamp);
}

void AccountStore::adopt(std::vector<Account> fresh, const FileStamp& stamp) {
    for (const auto& old : accounts_) {
        auto it = std::find_if(fresh.begin(), fresh.end(), [&](const Account& a) { return a.name == old.name; });
        if (it == fresh.end() || it->generation != old.generation) pending_ended_.push_back(old.name);
    }
    if (fresh != accounts_) pending_changed_ = true;
    accounts_ = std::move(fresh);
    stamp_ = stamp;
}

bool AccountStore::refresh(std::vector<std::string>* ended) {
    std::lock_guard lock(mu_);
    if (source_ || stamp_of(file()) != stamp_) reload_now();
    const bool changed = pending_changed_;
    if (ended) ended->insert(ended->end(), pending_ended_.begin(), pending_ended_.end());
    pending_changed_ = false;
    pending_ended_.clear();
    return changed;
}

std::optional<Account> AccountStore::find(std::string_view name) const {
    std::lock_guard lock(mu_);
    for (const auto& a : accounts_)
        if (a.name == name) return a;
    return std::nullopt;
}

std::vector<Account> AccountStore::list() const {
    std::lock_guard lock(mu_);
    return accounts_;
}

template <class Change>
bool AccountStore::modify(Change&& change) {
    std::lock_guard lock(mu_);
    std::error_code ec;
    std::filesystem::create_directories(data_, ec);
    if (ec) throw std::runtime_error("cannot create data directory " + data_.string() + ": " + ec.message());
    FileLock file_lock(lock_file());
    // Another process may have changed the file since we last looked; start from its state.
    if (stamp_of(file()) != stamp_) reload_now();
    std::vector<Account> next = accounts_;
    if (!change(next)) return false;
    std::sort(next.begin(), next.end(), [](const Account& a, const Account& b) { return a.name < b.name; });
    replace_file(file(), serialize_accounts(next));
    // adopt() records our own change too, so the next refresh() reports it like any other
    // (a removal made through this store ends that account's sessions as well).
    adopt(std::move(next), stamp_of(file()));
    return true;
}

Account AccountStore::add(Account account, std::string_view password) {
    validate_account(account);
    validate_password(password);
    account.password_hash = hash_password(password, cost_);
    if (source_) {
        account.generation = new_generation(0);
        if (auto taken = source_->insert(account))
            throw AccountError(AccountError::Kind::exists, "name",
                               "an account named '" + *taken + "' already exists in " + where());
        std::lock_guard lock(mu_);
        reload_now();
        return account;
    }
    modify([&](std::vector<Account>& accounts) {
        for (const auto& a : accounts)
            if (equal_ignoring_case(a.name, account.name))
                throw AccountError(AccountError::Kind::exists, "name",
                                   "an account named '" + a.name + "' already exists in " + file().string());
        account.generation = new_generation(0);
        accounts.push_back(account);
        return true;
    });
    return account;
}

bool AccountStore::remove(std::string_view name) {
    if (source_) {
        const bool erased = source_->erase(name);
        std::lock_guard lock(mu_);
        reload_now();
        return erased;
    }
    return modify([&](std::vector<Account>& accounts) {
        auto it = find_in(accounts, name);
        if (it == accounts.end()) return false;
        accounts.erase(it);
        return true;
    });
}

bool AccountStore::set_password(std::string_view name, std::string_view password) {
    validate_password(password);
    const std::string hash = hash_password(password, cost_);
    if (source_) {
        std::lock_guard lock(mu_);
        reload_now();
        auto it = find_in(accounts_, name);
        if (it == accounts_.end()) return false;
        Account changed = *it;
        changed.password_hash = hash;
        changed.generation = new_generation(changed.generation);
        if (!source_->replace(changed)) return false;
        reload_now();
        return true;
    }
    return modify([&](std::vector<Account>& accounts) {
        auto it = find_in(accounts, name);
        if (it == accounts.end()) return false;
        it->password_hash = hash;
        it->generation = new_generation(it->generation);
        return true;
    });
}

const std::string& AccountStore::dummy_hash() const {
    // Made on the first verify() whatever the name, so no single login pays for it alone.
    std::call_once(dummy_once_, [this] { dummy_hash_ = hash_password(chat::server::random_hex(16), cost_); });
    return dummy_hash_;
}

bool AccountStore::verify(std::string_view name, std::string_view password) const {
    const std::string& dummy = dummy_hash();
    std::optional<std::string> hash;
    {
        std::lock_guard lock(mu_);
        for (const auto& a : accounts_)
            if (a.name == name) hash = a.password_hash;
    }
    if (!hash) {
        (void)verify_password(dummy, password);
        return false;
    }
    return verify_password(*hash, password);
}

}  // namespace chat::accounts
