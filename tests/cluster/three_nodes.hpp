// three_nodes.hpp — a cluster for integration tests: a real redis-server and N real chatd
// nodes (--redis, --node n1…), each with its own data directory (the same secret in each) and
// the accounts created once, in Redis, with `chatd user add --redis`.
//
// Nodes can be killed and started again on the same data directory; ready() waits until
// every running node reports Redis up and listens on its pub/sub channel, so a test starts
// from a cluster that works rather than from a fixed pause.
#pragma once

#include <signal.h>

#include <cstdlib>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "chat_actors.hpp"
#include "redis_process.hpp"

namespace chat::test {

// redis-cli against the test's Redis; returns its output, trimmed.
inline std::string redis_cli(const RedisProcess& redis, std::vector<std::string> args) {
    static const std::string path = [] {
        const char* env = std::getenv("PATH");
        std::string dirs = env ? env : "/usr/bin";
        for (std::size_t b = 0; b <= dirs.size();) {
            auto e = dirs.find(':', b);
            if (e == std::string::npos) e = dirs.size();
            auto p = std::filesystem::path(dirs.substr(b, e - b)) / "redis-cli";
            if (std::filesystem::exists(p)) return p.string();
            b = e + 1;
        }
        return std::string("/usr/bin/redis-cli");
    }();
    std::vector<std::string> argv{path, "-p", std::to_string(redis.port())};
    argv.insert(argv.end(), args.begin(), args.end());
    auto r = run_program(argv);
    std::string out = r.out;
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

// Polls `pred` every 20 ms until it holds or `timeout` passed.
template <class F>
bool eventually(F&& pred, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
        if (pred()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return pred();
}

// `chatd user add NAME --redis URL …`; throws with the command's output when it fails.
inline void add_user_redis(const RedisProcess& redis, const std::string& name, const std::string& role,
                           const std::string& langs = "fr,en", int capacity = 3,
                           const std::string& password = "correct horse 42") {
    TempDir unused;  // --data is given so that nothing could land in the test's working directory
    auto r = run_program({chatd_path(), "user", "add", name, "--role", role, "--langs", langs, "--capacity",
                          std::to_string(capacity), "--redis", redis.url(), "--data", (unused.path() / "data").string()},
                         password + "\n");
    if (r.code != 0) throw std::runtime_error("chatd user add --redis failed: " + r.out);
    if (std::filesystem::exists(unused.path() / "data" / "accounts.json"))
        throw std::runtime_error("chatd user add --redis wrote accounts.json");
}

using Users = std::vector<std::tuple<std::string, std::string, std::string, int>>;

struct Nodes {
    RedisProcess redis;
    struct Node {
        std::string id;
        TempDir dir;
        std::optional<ChatdProcess> chatd;
        std::filesystem::path data() const { return dir.path() / "data"; }
    };
    std::vector<std::unique_ptr<Node>> nodes;
    std::vector<std::string> extra;

    explicit Nodes(const Users& users, int n = 3, std::vector<std::string> args = {}) : extra(std::move(args)) {
        // One secret for every node (visitor tokens signed on one node are good on the others).
        std::string secret(32, '\0');
        for (auto& ch : secret) ch = static_cast<char>('a' + std::rand() % 26);
        for (int i = 0; i < n; ++i) {
            auto node = std::make_unique<Node>();
            node->id = "n" + std::to_string(i + 1);
            std::filesystem::create_directories(node->data());
            std::ofstream(node->data() / "secret", std::ios::binary) << secret;
            std::filesystem::permissions(node->data() / "secret", std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
            nodes.push_back(std::move(node));
        }
        for (auto& [name, role, langs, cap] : users) add_user_redis(redis, name, role, langs, cap);
        for (int i = 0; i < n; ++i) start(i);
        REQUIRE(ready());
    }
    // A test ended by a failed REQUIRE or an unexpected exception (a frame that never came):
    // what each node printed, so that a failure on CI can be read without running it again.
    ~Nodes() {
        if (std::uncaught_exceptions() == 0) return;
        for (std::size_t i = 0; i < nodes.size(); ++i)
            std::cerr << "---- output of node " << nodes[i]->id << ":\n" << output(static_cast<int>(i)) << std::endl;
    }
    Nodes(const Nodes&) = delete;
    Nodes& operator=(const Nodes&) = delete;
    void start(int i) {
        std::vector<std::string> args{"--redis", redis.url(), "--node", nodes[i]->id};
        args.insert(args.end(), extra.begin(), extra.end());
        nodes[i]->chatd.emplace(args, nodes[i]->data());
    }
    std::optional<int> stop(int i, int sig = SIGTERM) {
        auto code = nodes[i]->chatd->stop(sig, std::chrono::seconds(10));
        nodes[i]->chatd.reset();
        return code;
    }
    unsigned short port(int i) const { return nodes[i]->chatd->port(); }
    std::string output(int i) const { return nodes[i]->chatd ? nodes[i]->chatd->output() : std::string{}; }

    std::string health(int i) const {
        auto body = nlohmann::json::parse(http_request(port(i), "GET", "/healthz").body, nullptr, false);
        return body.is_object() ? body.value("redis", "") : "";
    }
    // Every running node has Redis up and is subscribed to its channel.
    bool ready(std::chrono::milliseconds timeout = std::chrono::seconds(30)) const {
        return eventually(
            [&] {
                for (const auto& n : nodes) {
                    if (!n->chatd) continue;
                    auto body = nlohmann::json::parse(http_request(n->chatd->port(), "GET", "/healthz").body, nullptr, false);
                    if (!body.is_object() || body.value("redis", "") != "up") return false;
                    auto subs = redis_cli(redis, {"PUBSUB", "NUMSUB", "{chat}:to:" + n->id});
                    if (subs.size() < 2 || subs.substr(subs.size() - 2) != "\n1") return false;
                }
                return true;
            },
            timeout);
    }
    // Whether Redis counts `agent` online.
    bool online(const std::string& agent) const {
        return redis_cli(redis, {"SISMEMBER", "{chat}:agents:online", agent}) == "1";
    }
};

// Skips frames until a message whose text is `text`; throws on timeout.
inline nlohmann::json expect_text(WsClient& ws, const std::string& text, std::chrono::milliseconds timeout = 10s) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("no message '" + text + "'");
        auto raw = ws.recv(left);
        if (!raw) continue;
        auto f = nlohmann::json::parse(*raw, nullptr, false);
        if (f.is_discarded()) throw std::runtime_error("not JSON (" + std::to_string(raw->size()) + " bytes): '" + *raw + "'");
        if (f.value("type", "") == "message" && f.value("text", "") == text) return f;
    }
}

// An agent's console on `port` going online (kept in `agent`): the `assigned` frame for a
// waiting conversation, which may come before or after the status confirmation.
inline nlohmann::json online_and_assigned(unsigned short port, const std::string& name,
                                          std::unique_ptr<AgentClient>& agent) {
    agent = std::make_unique<AgentClient>(port, name, false);
    agent->ws.send(nlohmann::json{{"type", "status"}, {"status", "online"}});
    nlohmann::json assigned;
    bool status = false;
    while (assigned.is_null() || !status) {
        nlohmann::json f = agent->ws.next(30s);
        if (f["type"] == "assigned") assigned = f;
        status = status || f["type"] == "status";
    }
    return assigned;
}

// chat-kpi --json over `dirs`.
inline nlohmann::json kpi_of(const std::vector<std::filesystem::path>& dirs) {
    std::vector<std::string> argv{(std::filesystem::path(chatd_path()).parent_path() / "chat-kpi").string(), "--json"};
    for (const auto& d : dirs) argv.push_back(d.string());
    auto r = run_program(argv);
    REQUIRE(r.code == 0);
    return nlohmann::json::parse(r.out.substr(r.out.find('{')));
}

// Every event line of the segments in `dir`.
inline std::vector<nlohmann::json> events_in(const std::filesystem::path& dir) {
    std::vector<nlohmann::json> out;
    for (const auto& f : std::filesystem::directory_iterator(dir)) {
        if (f.path().extension() != ".jsonl" || f.path().filename().string().rfind("events-", 0) != 0) continue;
        std::ifstream in(f.path());
        std::string line;
        while (std::getline(in, line)) {
            auto e = nlohmann::json::parse(line, nullptr, false);
            if (e.is_object() && e.contains("type")) out.push_back(std::move(e));
        }
    }
    return out;
}

}  // namespace chat::test
