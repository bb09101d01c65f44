// Tests of `chatd user …` (server/accounts/user_command.hpp): exit codes 0/1/2, one-line
// errors naming the flag or value at fault, the table and --json listings, --config/--data.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "accounts.hpp"
#include "temp_dir.hpp"
#include "user_command.hpp"

using namespace chat::accounts;

namespace {

struct Result {
    int code;
    std::string out, err;
};

Result run(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    const int code = run_user_command(args, in, out, err);
    return {code, out.str(), err.str()};
}

// One line on stderr, starting with the program and containing `fault`.
bool one_line_naming(const Result& r, const std::string& fault) {
    return r.err.rfind("chatd user: ", 0) == 0 && r.err.find('\n') == r.err.size() - 1 &&
           r.err.find(fault) != std::string::npos;
}

}  // namespace

TEST_CASE("user add, list and remove, end to end") {
    TempDir dir;
    const std::string data = (dir.path / "data").string();

    auto r = run({"add", "alice", "--role", "manager", "--langs", "en", "--capacity", "5", "--data", data},
                 "correct horse\r\n");
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find("alice") != std::string::npos);

    r = run({"add", "bob", "--role=agent", "--data=" + data}, "password-b\nsecond line ignored\n");
    CHECK(r.code == 0);

    {
        AccountStore store(data);
        // The trailing \r\n is not part of the password.
        CHECK(store.verify("alice", "correct horse"));
        CHECK(store.verify("bob", "password-b"));
        const auto alice = store.find("alice");
        REQUIRE(alice);
        CHECK(alice->role == Role::manager);
        CHECK(alice->langs == std::vector<std::string>{"en"});
        CHECK(alice->capacity == 5);
        CHECK(alice->created_ms > 1700000000000);
        const auto bob = store.find("bob");
        REQUIRE(bob);
        CHECK(bob->langs == std::vector<std::string>{"fr", "en"});
        CHECK(bob->capacity == 3);
    }

    r = run({"list", "--data", data});
    CHECK(r.code == 0);
    std::istringstream table(r.out);
    std::string header, line1, line2, extra;
    std::getline(table, header), std::getline(table, line1), std::getline(table, line2);
    CHECK(header.rfind("NAME", 0) == 0);
    for (const char* col : {"ROLE", "LANGS", "CAPACITY", "CREATED"}) CHECK(header.find(col) != std::string::npos);
    CHECK(line1.rfind("alice", 0) == 0);
    CHECK(line1.find("manager") != std::string::npos);
    CHECK(line1.find(" en ") != std::string::npos);
    CHECK(line2.rfind("bob", 0) == 0);
    CHECK(line2.find("fr,en") != std::string::npos);
    CHECK_FALSE(std::getline(table, extra));
    CHECK(r.out.find("$argon2id$") == std::string::npos);

    r = run({"remove", "alice", "--data", data});
    CHECK(r.code == 0);
    CHECK(AccountStore(data).find("alice") == std::nullopt);
    CHECK(AccountStore(data).find("bob"));
}

TEST_CASE("user list --json: objects without password hashes") {
    TempDir dir;
    const std::string data = dir.path.string();
    REQUIRE(run({"list", "--json", "--data", data}).out == "[]\n");
    REQUIRE(run({"add", "carol", "--role", "agent", "--langs", "fr", "--data", data}, "password-c\n").code == 0);

    const auto r = run({"list", "--json", "--data", data});
    CHECK(r.code == 0);
    const auto doc = nlohmann::json::parse(r.out);
    REQUIRE(doc.is_array());
    REQUIRE(doc.size() == 1);
    CHECK(doc[0]["name"] == "carol");
    CHECK(doc[0]["role"] == "agent");
    CHECK(doc[0]["langs"] == nlohmann::json::array({"fr"}));
    CHECK(doc[0]["capacity"] == 3);
    CHECK(doc[0]["created_ms"].is_number_integer());
    CHECK_FALSE(doc[0].contains("password_hash"));
    CHECK(r.out.find("argon2") == std::string::npos);
}

TEST_CASE("user: usage errors exit 2 with one line naming the flag or value") {
    TempDir dir;
    const std::string data = dir.path.string();
    const std::string pw = "password-1\n";
    struct Case {
        std::vector<std::string> args;
        std::string stdin_text, fault;
    };
    const std::vector<Case> cases = {
        {{}, "", "subcommand"},
        {{"rename", "x"}, "", "rename"},
        {{"add", "--role", "agent", "--data", data}, pw, "NAME"},
        {{"add", "alice", "--data", data}, pw, "--role"},
        {{"add", "alice", "--role", "boss", "--data", data}, pw, "--role"},
        {{"add", "alice", "--role", "agent", "--langs", "fr,de", "--data", data}, pw, "--langs"},
        {{"add", "alice", "--role", "agent", "--langs", "fr,", "--data", data}, pw, "--langs"},
        {{"add", "alice", "--role", "agent", "--capacity", "0", "--data", data}, pw, "--capacity"},
        {{"add", "alice", "--role", "agent", "--capacity", "51", "--data", data}, pw, "--capacity"},
        {{"add", "alice", "--role", "agent", "--capacity", "3x", "--data", data}, pw, "--capacity"},
        {{"add", "bad name", "--role", "agent", "--data", data}, pw, "NAME"},
        {{"add", "alice", "--role", "agent", "--data", data}, "", "password"},
        {{"add", "alice", "--role", "agent", "--data", data}, "\r\n", "password"},
        {{"add", "alice", "--role", "agent", "--data", data}, "short\n", "password"},
        {{"add", "alice", "extra", "--role", "agent", "--data", data}, pw, "extra"},
        {{"add", "alice", "--role", "agent", "--role", "manager", "--data", data}, pw, "--role"},
        {{"add", "alice", "--role", "agent", "--json", "--data", data}, pw, "--json"},
        {{"add", "alice", "--role", "agent", "--data"}, pw, "--data"},
        {{"list", "--bogus", "--data", data}, "", "--bogus"},
        {{"list", "--json=yes", "--data", data}, "", "--json"},
        {{"list", "alice", "--data", data}, "", "alice"},
        {{"list", "--redis", "localhost:6379", "--data", data}, "", "--redis"},
        {{"list", "--config", (dir.path / "missing.json").string()}, "", "--config"},
        {{"remove", "--data", data}, "", "NAME"},
        {{"remove", "a/b", "--data", data}, "", "NAME"},
    };
    for (const auto& c : cases) {
        const auto r = run(c.args, c.stdin_text);
        INFO("args: " << nlohmann::json(c.args).dump() << " stderr: " << r.err);
        CHECK(r.code == 2);
        CHECK(one_line_naming(r, c.fault));
        CHECK(r.out.empty());
    }
    // Nothing was created by any of them.
    CHECK(AccountStore(data).list().empty());
    CHECK_FALSE(std::filesystem::exists(dir.path / "accounts.json"));
}

TEST_CASE("user: runtime failures exit 1 with one line saying what and where") {
    TempDir dir;
    const std::string data = dir.path.string();
    const std::string file = (dir.path / "accounts.json").string();
    REQUIRE(run({"add", "alice", "--role", "agent", "--data", data}, "password-a\n").code == 0);

    auto r = run({"add", "alice", "--role", "manager", "--data", data}, "password-other\n");
    CHECK(r.code == 1);
    CHECK(one_line_naming(r, "alice"));
    CHECK(r.err.find(file) != std::string::npos);
    CHECK(AccountStore(data).verify("alice", "password-a"));

    r = run({"remove", "bob", "--data", data});
    CHECK(r.code == 1);
    CHECK(one_line_naming(r, "bob"));
    CHECK(r.err.find(file) != std::string::npos);

    { std::ofstream(file) << "not json"; }
    r = run({"list", "--data", data});
    CHECK(r.code == 1);
    CHECK(one_line_naming(r, file));

    // A data directory that cannot be created: a plain file is in the way.
    const auto blocker = dir.path / "plain-file";
    { std::ofstream(blocker) << "x"; }
    r = run({"add", "dan", "--role", "agent", "--data", (blocker / "data").string()}, "password-d\n");
    CHECK(r.code == 1);
    CHECK(one_line_naming(r, blocker.string()));
}

TEST_CASE("user: --config gives the data directory, --data wins, other keys are ignored") {
    TempDir dir;
    const auto from_config = dir.path / "from-config";
    const auto from_flag = dir.path / "from-flag";
    const auto config = dir.path / "chatd.json";
    {
        std::ofstream out(config);
        out << nlohmann::json({{"data", from_config.string()},
                               {"listen", "0.0.0.0:9"},
                               {"limits", {{"frame_bytes", 1}}},
                               {"whatever", true}})
                   .dump();
    }
    REQUIRE(run({"add", "alice", "--role", "agent", "--config", config.string()}, "password-a\n").code == 0);
    CHECK(AccountStore(from_config).find("alice"));

    REQUIRE(run({"add", "bob", "--role", "agent", "--config", config.string(), "--data", from_flag.string()},
                "password-b\n")
                .code == 0);
    CHECK(AccountStore(from_flag).find("bob"));
    CHECK_FALSE(AccountStore(from_config).find("bob"));

    { std::ofstream(config) << "{\"data\": 5}"; }
    const auto r = run({"list", "--config", config.string()});
    CHECK(r.code == 2);
    CHECK(one_line_naming(r, "data"));
}

TEST_CASE("user: with --redis and no Redis listening, a one-line error, exit 1, nothing written") {
    TempDir dir;
    // Port 1: nothing listens there on a test machine, so the connection is refused.
    const auto r = run({"add", "alice", "--role", "agent", "--redis", "redis://127.0.0.1:1", "--data",
                        dir.path.string()},
                       "password-a\n");
    CHECK(r.code == 1);
    CHECK(r.err.find("cannot reach Redis at redis://127.0.0.1:1") != std::string::npos);
    CHECK(r.err.find('\n') == r.err.size() - 1);
    CHECK_FALSE(std::filesystem::exists(dir.path / "accounts.json"));
}

TEST_CASE("user --help prints the usage and exits 0") {
    for (auto args : {std::vector<std::string>{"--help"}, std::vector<std::string>{"add", "-h"}}) {
        const auto r = run(args);
        CHECK(r.code == 0);
        CHECK(r.out.find("chatd user add NAME --role agent|manager") != std::string::npos);
        CHECK(r.out.find("chatd user list [--json]") != std::string::npos);
        CHECK(r.err.empty());
    }
}
