// Fault runs against the real chatd, small and deterministic enough for ctest (label
// "faults"; the big-load versions are run by hand with bench/run-load.sh and chat-bench
// --reconnect). After each fault: every acknowledged message is in the log, a resumed shopper
// has every conversation frame exactly once, and the log reads back through chat-kpi.
//   - SIGKILL under load, restart on the same data, shoppers resume and resend what was not acked
//   - a client that sends garbage of every kind
//   - a client that stops reading
//   - disk full on the log directory (a small tmpfs; needs root, else skipped with a warning)
#include <catch2/catch.hpp>

#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "chatd_process.hpp"
#include "ws_client.hpp"

using namespace chat::test;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path write_config(const fs::path& dir, const std::string& limits, const std::string& timeouts = "{}") {
    fs::create_directories(dir);
    fs::path p = dir / "faults-config.json";
    std::ofstream(p) << R"({"node":"faults","limits":)" << limits << R"(,"timeouts":)" << timeouts << "}";
    return p;
}

// The ids of the visitors' messages in the log of `data`, and how often each is there.
std::map<std::string, int> logged_visitor_messages(const fs::path& data) {
    std::map<std::string, int> out;
    for (const auto& f : fs::directory_iterator(data)) {
        const std::string name = f.path().filename().string();
        if (name.rfind("events-", 0) != 0 || f.path().extension() != ".jsonl") continue;
        std::ifstream in(f.path());
        std::string line;
        while (std::getline(in, line)) {
            json e = json::parse(line, nullptr, false);
            if (e.is_object() && e.value("type", "") == "message" && e.value("author", "") == "visitor") out[e.value("msg", "")]++;
        }
    }
    return out;
}

json kpi_report(const fs::path& data) {
    auto r = run_program({(fs::path(chatd_path()).parent_path() / "chat-kpi").string(), "--json", data.string()});
    REQUIRE(r.code == 0);
    return json::parse(r.out);
}

// What one shopper saw of its conversation: every seq'd frame, to check "exactly once".
struct Seen {
    std::string token, conv;
    std::vector<std::uint64_t> seqs;
    std::uint64_t last_seq = 0;
    void note(const json& f) {
        const std::string type = f.value("type", "");
        if (type == "ack" || !f.contains("seq") || !f.contains("conv")) return;
        conv = f["conv"];
        seqs.push_back(f["seq"]);
        last_seq = std::max<std::uint64_t>(last_seq, f["seq"]);
    }
};

}  // namespace

TEST_CASE("SIGKILL under load: resumed shoppers lose nothing and see nothing twice", "[faults]") {
    TempDir dir;
    const fs::path data = dir.path() / "data";
    // Histories leave memory at the first tick after their conversation closes: the end of the
    // test resumes closed conversations from the log the killed process left.
    const auto cfg = write_config(dir.path(), R"({"msgs_per_s":1000,"burst":1000})", R"({"history_kept_s":0})");
    auto chatd = std::make_unique<ChatdProcess>(std::vector<std::string>{"--config", cfg.string()}, data);
    const unsigned short port1 = chatd->port();

    constexpr int kShoppers = 12;
    std::vector<Seen> seen(kShoppers);
    std::vector<std::string> pending(kShoppers);  // the client_id sent and not acked when the server died
    std::vector<int> next(kShoppers, 0);
    std::mutex m;
    std::set<std::string> acked;
    std::atomic<int> messages{0};
    std::vector<std::thread> threads;
    for (int k = 0; k < kShoppers; ++k) {
        threads.emplace_back([&, k] {
            try {
                WsClient ws(port1, "/ws/visitor?lang=en");
                seen[k].token = ws.expect("welcome")["token"];
                for (;;) {
                    const std::string cid = "s" + std::to_string(k) + "-" + std::to_string(next[k]++);
                    pending[k] = cid;
                    ws.send(json{{"type", "message"}, {"text", "how long does delivery take?"}, {"client_id", cid}});
                    for (;;) {
                        json f = ws.next(5s);
                        seen[k].note(f);
                        if (f.value("type", "") == "ack" && f.value("client_id", "") == cid) {
                            std::lock_guard lk(m);
                            acked.insert(f.value("msg", ""));
                            pending[k].clear();
                            messages++;
                            break;
                        }
                    }
                }
            } catch (const std::exception&) {
                // The server died under us: what is pending is resent after the restart.
            }
        });
    }
    while (messages < 150) std::this_thread::sleep_for(5ms);
    CHECK(chatd->stop(SIGKILL) == 128 + SIGKILL);
    for (auto& t : threads) t.join();
    chatd.reset();

    ChatdProcess again({"--config", cfg.string()}, data);
    for (int k = 0; k < kShoppers; ++k) {
        INFO("shopper " << k);
        WsClient ws(again.port(), "/ws/visitor?lang=en");
        ws.expect("welcome");  // this connection's own fresh identity, before the resume
        ws.send(json{{"type", "resume"}, {"token", seen[k].token}, {"last_seq", seen[k].last_seq}});
        json w = ws.expect("welcome");
        CHECK(w["token"] == seen[k].token);
        if (!pending[k].empty()) {
            // Resent: acked once, whether or not the first copy had reached the disk.
            ws.send(json{{"type", "message"}, {"text", "how long does delivery take?"}, {"client_id", pending[k]}});
        }
        // Read until quiet: the replay, the resent message's ack and answers.
        while (auto text = ws.recv(700ms)) {
            json f = json::parse(*text);
            seen[k].note(f);
            if (f.value("type", "") == "ack") acked.insert(f.value("msg", ""));
        }
        // Exactly once: the conversation's frames 1..last, none missing, none twice.
        std::vector<std::uint64_t> s = seen[k].seqs;
        std::sort(s.begin(), s.end());
        REQUIRE_FALSE(s.empty());
        CHECK(std::adjacent_find(s.begin(), s.end()) == s.end());
        CHECK(s.front() == 1);
        CHECK(s.back() == s.size());
        CHECK(s.back() >= w["last_seq"].get<std::uint64_t>());
    }
    const auto logged = logged_visitor_messages(data);
    for (const auto& msg : acked) {
        INFO(msg);
        CHECK(logged.count(msg) == 1);
        if (logged.count(msg)) CHECK(logged.at(msg) == 1);
    }
    CHECK(kpi_report(data)["conversations"].get<int>() == kShoppers);

    // Three shoppers end their conversations; once the histories have left memory, a widget
    // that lost its state resumes from 0 and gets every frame 1..last exactly once, read back
    // from the log that the killed process wrote and the restarted one went on with.
    constexpr int kClosing = 3;
    for (int k = 0; k < kClosing; ++k) {
        WsClient ws(again.port(), "/ws/visitor?lang=en");
        ws.expect("welcome");
        ws.send(json{{"type", "resume"}, {"token", seen[k].token}, {"last_seq", seen[k].last_seq}});
        ws.expect("welcome");
        ws.send(json{{"type", "resolve"}});
        seen[k].note(ws.expect("resolved"));
    }
    bool in_log = false;
    for (int i = 0; i < 50 && !in_log; ++i) {
        const std::string body = http_request(again.port(), "GET", "/metrics").body;
        in_log = body.find("chat_histories{where=\"log\"} " + std::to_string(kClosing) + "\n") != std::string::npos;
        if (!in_log) std::this_thread::sleep_for(100ms);
    }
    REQUIRE(in_log);
    for (int k = 0; k < kClosing; ++k) {
        INFO("closed shopper " << k);
        WsClient ws(again.port(), "/ws/visitor?lang=en");
        ws.expect("welcome");
        ws.send(json{{"type", "resume"}, {"token", seen[k].token}, {"last_seq", 0}});
        CHECK(ws.expect("welcome")["conv"] == seen[k].conv);
        std::vector<std::uint64_t> s;
        while (auto text = ws.recv(500ms)) {
            json f = json::parse(*text);
            if (f.contains("seq") && f.value("conv", "") == seen[k].conv) s.push_back(f["seq"]);
        }
        REQUIRE_FALSE(s.empty());
        CHECK(s.front() == 1);
        CHECK(std::adjacent_find(s.begin(), s.end(), [](auto a, auto b) { return b != a + 1; }) == s.end());
        CHECK(s.back() == seen[k].last_seq);
    }
}

TEST_CASE("a client sending garbage gets an error for each frame and stores nothing", "[faults]") {
    TempDir dir;
    const fs::path data = dir.path() / "data";
    ChatdProcess chatd({"--config", write_config(dir.path(), R"({"msgs_per_s":1000,"burst":1000,"frame_bytes":4096})").string()}, data);
    WsClient bad(chatd.port(), "/ws/visitor?lang=en");
    bad.expect("welcome");
    const std::vector<std::pair<std::string, std::string>> garbage = {
        {"not json at all", "bad_json"},
        {"{\"type\":", "bad_json"},
        {"[1,2,3]", "bad_request"},
        {"42", "bad_request"},
        {"{\"type\":42}", "bad_request"},
        {"{\"type\":\"no_such_frame\"}", "bad_request"},
        {"{\"type\":\"message\"}", "bad_request"},
        {"{\"type\":\"message\",\"text\":\"hi\"}", "bad_request"},
        {"{\"type\":\"message\",\"text\":\"  \",\"client_id\":\"x\"}", "bad_request"},
        {"{\"type\":\"message\",\"text\":7,\"client_id\":\"x\"}", "bad_request"},
        {"{\"type\":\"csat\",\"score\":9}", "bad_request"},
        {"{\"type\":\"resume\",\"token\":\"forged\",\"last_seq\":0}", "unauthorized"},
    };
    for (const auto& [frame, code] : garbage) {
        INFO(frame);
        bad.send(frame);
        json e = bad.expect("error");
        CHECK(e["code"] == code);
    }
    // Still usable: a proper message is acked.
    bad.send(json{{"type", "message"}, {"text", "where is my parcel?"}, {"client_id", "ok-1"}});
    json ack = bad.expect("ack");
    // A frame over frame_bytes ends the connection with 1009; the server carries on.
    bad.send(std::string(8000, 'x'));
    int code = 0;
    try {
        for (int i = 0; i < 20; ++i) bad.next(3s);
    } catch (const WsClosed& c) {
        code = c.code;
    }
    CHECK(code == 1009);
    WsClient good(chatd.port(), "/ws/visitor?lang=en");
    good.expect("welcome");
    good.send(json{{"type", "message"}, {"text", "do you ship abroad?"}, {"client_id", "g-1"}});
    good.expect("ack");
    const auto logged = logged_visitor_messages(data);
    CHECK(logged.size() == 2);  // the two proper messages, nothing of the garbage
    CHECK(logged.count(ack["msg"].get<std::string>()) == 1);
}

TEST_CASE("a client that stops reading is dropped while the others are served", "[faults]") {
    TempDir dir;
    ChatdProcess chatd({"--config", write_config(dir.path(), R"({"msgs_per_s":100000,"burst":100000,"outgoing_queue_frames":16})").string()},
                       dir.path() / "data");
    std::atomic<bool> stop{false};
    std::thread deaf([&] {
        try {
            WsClient ws(chatd.port(), "/ws/visitor?lang=en");
            const std::string text(3900, 'a');
            for (int i = 0; i < 20000 && !stop; ++i)
                ws.send(json{{"type", "message"}, {"text", "parcel " + text}, {"client_id", "d-" + std::to_string(i)}});
        } catch (const std::exception&) {
            // Closed by the server, as it should be.
        }
    });
    WsClient good(chatd.port(), "/ws/visitor?lang=en");
    good.expect("welcome");
    int dropped = 0;
    for (int i = 0; i < 200 && dropped == 0; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        good.send(json{{"type", "message"}, {"text", "how long is delivery?"}, {"client_id", "g-" + std::to_string(i)}});
        good.expect("ack", 5s);
        CHECK(std::chrono::steady_clock::now() - t0 < 2s);
        const auto n = metric(chatd.port(), "chat_slow_consumers_dropped_total");
        REQUIRE(n);
        dropped = static_cast<int>(*n);
        std::this_thread::sleep_for(50ms);
    }
    stop = true;
    deaf.join();
    CHECK(dropped == 1);
}

namespace {
// A tmpfs of `size` mounted on `dir` for the test's lifetime; ok() is false when mounting is
// not allowed here (not root, or no mount namespace rights).
struct SmallDisk {
    fs::path dir;
    bool mounted = false;
    SmallDisk(fs::path d, const std::string& size) : dir(std::move(d)) {
        fs::create_directories(dir);
        mounted = ::mount("tmpfs", dir.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
    }
    ~SmallDisk() {
        if (mounted) ::umount2(dir.c_str(), MNT_DETACH);
    }
};
}  // namespace

TEST_CASE("disk full: unavailable, never an ack for what is not stored, recovery when space returns", "[faults]") {
    TempDir dir;
    SmallDisk disk(dir.path() / "disk", "2m");
    if (!disk.mounted) {
        WARN("cannot mount a tmpfs here (needs root): disk-full run skipped");
        return;
    }
    const fs::path data = disk.dir / "data";
    auto chatd = std::make_unique<ChatdProcess>(std::vector<std::string>{"--config", write_config(dir.path(), R"({"msgs_per_s":1000,"burst":1000})").string()}, data);
    WsClient ws(chatd->port(), "/ws/visitor?lang=en");
    ws.expect("welcome");
    std::set<std::string> acked;
    ws.send(json{{"type", "message"}, {"text", "how long does delivery take?"}, {"client_id", "m-0"}});
    acked.insert(ws.expect("ack")["msg"].get<std::string>());

    // Fill the disk.
    {
        std::ofstream filler(disk.dir / "filler", std::ios::binary);
        const std::string block(64 * 1024, 'f');
        while (filler.write(block.data(), block.size())) {}
    }
    // The segment's last page may still take a line or two (tmpfs allocates by page): those
    // are stored and acked; once a write fails, every message is refused with `unavailable`.
    std::vector<std::string> refused;
    for (int i = 1; i <= 60 && refused.size() < 5; ++i) {
        const std::string cid = "m-" + std::to_string(i);
        ws.send(json{{"type", "message"}, {"text", "can I pay by card? " + std::string(200, 'x')}, {"client_id", cid}});
        for (;;) {
            json f = ws.next(5s);
            if (f.value("type", "") == "ack") {
                if (!refused.empty()) FAIL("acked after a refusal while the disk is full: " << f.dump());
                acked.insert(f["msg"].get<std::string>());
                break;
            }
            if (f.value("type", "") == "error") {
                CHECK(f["code"] == "unavailable");
                refused.push_back(cid);
                break;
            }
        }
    }
    REQUIRE(refused.size() == 5);
    CHECK(http_request(chatd->port(), "GET", "/healthz").status != 200);

    // Space returns: the same messages, resent, are stored once and acked.
    fs::remove(disk.dir / "filler");
    for (const auto& cid : refused) {
        bool ok = false;
        for (int attempt = 0; attempt < 40 && !ok; ++attempt) {
            ws.send(json{{"type", "message"}, {"text", "can I pay by card? " + std::string(200, 'x')}, {"client_id", cid}});
            for (;;) {
                json f = ws.next(5s);
                if (f.value("type", "") == "ack" && f["client_id"] == cid) {
                    acked.insert(f["msg"].get<std::string>());
                    ok = true;
                    break;
                }
                if (f.value("type", "") == "error") {
                    std::this_thread::sleep_for(250ms);
                    break;
                }
            }
        }
        CHECK(ok);
    }
    CHECK(http_request(chatd->port(), "GET", "/healthz").status == 200);
    chatd->stop(SIGTERM);
    const auto logged = logged_visitor_messages(data);
    CHECK(logged.size() == acked.size());
    for (const auto& msg : acked) {
        INFO(msg);
        CHECK(logged.count(msg) == 1);
        if (logged.count(msg)) CHECK(logged.at(msg) == 1);
    }
    CHECK(kpi_report(data)["conversations"].get<int>() == 1);
    chatd.reset();
}
