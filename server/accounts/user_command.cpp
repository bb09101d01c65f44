// user_command.cpp — flags, config file and output of `chatd user …` (contract in docs/cli.md).
//
// Parsing is done in full before anything is read from stdin or written to disk, so a usage
// error never leaves a half-made change behind.
#include "user_command.hpp"

#include <chrono>
#include <charconv>
#include <ctime>
#include <fstream>
#include <istream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "accounts.hpp"
#include "cli_args.hpp"
#include "redis_accounts.hpp"

namespace chat::accounts {
namespace {

using json = nlohmann::json;

using cli::UsageError;  // something the operator typed wrong: exit 2

struct Options {
    std::string sub;
    std::vector<std::string> positionals;
    std::map<std::string, std::string> flags;  // name without "--" -> value ("" for --json)
    std::filesystem::path data = "data";
    std::string redis;
};

bool is_switch(const std::string& flag) { return flag == "json"; }

const std::set<std::string>& flags_of(const std::string& sub) {
    static const std::map<std::string, std::set<std::string>> table = {
        {"add", {"data", "config", "redis", "role", "langs", "capacity"}},
        {"list", {"data", "config", "redis", "json"}},
        {"remove", {"data", "config", "redis"}},
    };
    return table.at(sub);
}


// Reads the keys of the server's config file that matter here ("data", "redis"); the others
// belong to the server and are ignored.
void apply_config_file(Options& o, const std::filesystem::path& file) {
    std::ifstream in(file);
    if (!in) throw UsageError("--config: cannot read '" + file.string() + "'");
    json doc;
    try {
        doc = json::parse(in);
    } catch (const json::parse_error& e) {
        throw UsageError("--config: '" + file.string() + "' is not valid JSON: " + e.what());
    }
    if (!doc.is_object()) throw UsageError("--config: '" + file.string() + "' must hold a JSON object");
    if (doc.contains("data")) {
        if (!doc["data"].is_string() || doc["data"].get<std::string>().empty())
            throw UsageError("config key 'data' in '" + file.string() + "': expected a directory name");
        o.data = doc["data"].get<std::string>();
    }
    if (doc.contains("redis")) {
        if (!doc["redis"].is_string()) throw UsageError("config key 'redis' in '" + file.string() + "': expected a URL");
        o.redis = doc["redis"].get<std::string>();
        cli::check_redis_url(o.redis, "config key 'redis'");
    }
}

Options parse(const std::vector<std::string>& args) {
    Options o;
    if (args.empty()) throw UsageError("missing subcommand: add, list or remove (see chatd user --help)");
    o.sub = args[0];
    if (o.sub != "add" && o.sub != "list" && o.sub != "remove")
        throw UsageError("'" + o.sub + "': unknown subcommand, expected add, list or remove");
    const auto& allowed = flags_of(o.sub);
    cli::Args split = cli::split_args(args, 1, is_switch);
    o.positionals = std::move(split.positionals);
    for (auto& f : split.flags) {
        if (!allowed.count(f.key)) throw UsageError("--" + f.key + ": unknown flag for 'user " + o.sub + "' (see --help)");
        if (o.flags.count(f.key)) throw UsageError("--" + f.key + ": given twice");
        o.flags[f.key] = std::move(f.value);
    }
    const std::size_t wanted = o.sub == "list" ? 0 : 1;
    if (o.positionals.size() < wanted)
        throw UsageError("NAME: missing (chatd user " + o.sub + " NAME" + (o.sub == "add" ? " --role agent|manager" : "") +
                         ")");
    if (o.positionals.size() > wanted) throw UsageError("'" + o.positionals[wanted] + "': unexpected argument");

    // The config file first, then the flags, which win.
    if (o.flags.count("config")) apply_config_file(o, o.flags["config"]);
    if (o.flags.count("data")) {
        if (o.flags["data"].empty()) throw UsageError("--data: expected a directory name");
        o.data = o.flags["data"];
    }
    if (o.flags.count("redis")) {
        o.redis = o.flags["redis"];
        cli::check_redis_url(o.redis, "--redis");
    }
    return o;
}

// The flag or value that set an account field, for error messages.
std::string label_of(const std::string& field) {
    if (field == "name") return "NAME";
    if (field == "password") return "password (first line of stdin)";
    return "--" + field;
}

std::string one_line(std::string s) {
    for (char& c : s)
        if (c == '\n' || c == '\r') c = ' ';
    return s;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

std::string utc_time(std::int64_t ms) {
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// The accounts the command works on: in Redis with --redis (or the config's "redis"), else
// the data directory's accounts.json. Redis is read at once, so an unreachable one fails here.
std::unique_ptr<AccountStore> open_store(const Options& o) {
    if (o.redis.empty()) return std::make_unique<AccountStore>(o.data);
    std::unique_ptr<RedisAccounts> source;
    try {
        source = std::make_unique<RedisAccounts>(o.redis);
    } catch (const std::invalid_argument& e) {
        throw UsageError(std::string("--redis: ") + e.what());
    }
    auto store = std::make_unique<AccountStore>(std::move(source));
    store->refresh();
    return store;
}

Account account_from_flags(Options& o) {
    Account a;
    a.name = o.positionals[0];
    if (!o.flags.count("role")) throw UsageError("--role: required, agent or manager");
    const auto role = parse_role(o.flags["role"]);
    if (!role) throw UsageError("--role: expected agent or manager, got '" + o.flags["role"] + "'");
    a.role = *role;
    if (o.flags.count("langs")) {
        const std::string& text = o.flags["langs"];
        std::size_t start = 0;
        for (;;) {
            const auto comma = text.find(',', start);
            const std::string lang = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (lang.empty()) throw UsageError("--langs: expected a comma-separated subset of fr,en, got '" + text + "'");
            a.langs.push_back(lang);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    if (o.flags.count("capacity")) {
        const std::string& text = o.flags["capacity"];
        int v = 0;
        auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
        if (ec != std::errc{} || p != text.data() + text.size() || v < kMinCapacity || v > kMaxCapacity)
            throw UsageError("--capacity: expected a whole number from " + std::to_string(kMinCapacity) + " to " +
                             std::to_string(kMaxCapacity) + ", got '" + text + "'");
        a.capacity = v;
    }
    a.created_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
    validate_account(a);
    return a;
}

int do_add(Options& o, std::istream& in, std::ostream& out) {
    Account a = account_from_flags(o);
    std::string password;
    std::getline(in, password);
    while (!password.empty() && (password.back() == '\r' || password.back() == '\n')) password.pop_back();
    if (password.empty()) throw UsageError("password: expected on the first line of stdin, got an empty line");
    validate_password(password);
    auto store = open_store(o);
    const Account stored = store->add(std::move(a), password);
    out << "added " << role_name(stored.role) << " '" << stored.name << "' (langs " << join(stored.langs, ",")
        << ", capacity " << stored.capacity << ") to " << store->where() << '\n';
    return 0;
}

int do_list(Options& o, std::ostream& out) {
    const auto accounts = open_store(o)->list();
    if (o.flags.count("json")) {
        json list = json::array();
        for (const auto& a : accounts)
            list.push_back({{"name", a.name},
                            {"role", role_name(a.role)},
                            {"langs", a.langs},
                            {"capacity", a.capacity},
                            {"created_ms", a.created_ms},
                            {"created", utc_time(a.created_ms)}});
        out << list.dump(2) << '\n';
        return 0;
    }
    std::vector<std::vector<std::string>> rows = {{"NAME", "ROLE", "LANGS", "CAPACITY", "CREATED"}};
    for (const auto& a : accounts)
        rows.push_back({a.name, std::string(role_name(a.role)), join(a.langs, ","), std::to_string(a.capacity),
                        utc_time(a.created_ms)});
    std::vector<std::size_t> width(rows[0].size(), 0);
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i)
            line += i + 1 < r.size() ? r[i] + std::string(width[i] - r[i].size() + 2, ' ') : r[i];
        out << line << '\n';
    }
    return 0;
}

int do_remove(Options& o, std::ostream& out, std::ostream& err) {
    const std::string& name = o.positionals[0];
    validate_name(name);
    auto store = open_store(o);
    if (!store->remove(name)) {
        err << "chatd user: no account named '" << name << "' in " << store->where() << '\n';
        return 1;
    }
    out << "removed '" << name << "' from " << store->where()
        << "; a running server ends their sessions within 2 s\n";
    return 0;
}

}  // namespace

std::string user_usage() {
    return "Usage:\n"
           "  chatd user add NAME --role agent|manager [--langs fr,en] [--capacity N]\n"
           "        the password is read from the first line of stdin (at least 8 characters)\n"
           "  chatd user list [--json]\n"
           "  chatd user remove NAME\n"
           "\n"
           "Common flags:\n"
           "  --data DIR      data directory holding accounts.json (default ./data)\n"
           "  --config FILE   the server's JSON config file; its \"data\" key gives the directory\n"
           "  --redis URL     accounts are kept in this Redis, shared by every node\n"
           "                  (accounts.json is then neither read nor written)\n"
           "\n"
           "NAME: 1 to 64 letters, digits, '.', '_', '@' or '-'. --langs: default fr,en.\n"
           "--capacity: conversations at once, 1 to 50 (default 3). A running server applies\n"
           "changes within a second and ends a removed user's sessions.\n"
           "Exit codes: 0 success, 1 failure, 2 usage error.\n";
}

int run_user_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err) {
    for (const auto& a : args)
        if (a == "--help" || a == "-h") {
            out << user_usage();
            return 0;
        }
    try {
        Options o = parse(args);
        if (o.sub == "add") return do_add(o, in, out);
        if (o.sub == "list") return do_list(o, out);
        return do_remove(o, out, err);
    } catch (const UsageError& e) {
        err << "chatd user: " << one_line(e.what()) << '\n';
        return 2;
    } catch (const AccountError& e) {
        if (e.kind == AccountError::Kind::exists) {
            err << "chatd user: " << one_line(e.detail) << '\n';
            return 1;
        }
        err << "chatd user: " << label_of(e.field) << ": " << one_line(e.detail) << '\n';
        return 2;
    } catch (const std::exception& e) {
        err << "chatd user: " << one_line(e.what()) << '\n';
        return 1;
    }
}

}  // namespace chat::accounts
