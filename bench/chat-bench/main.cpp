// main.cpp — chat-bench: opens the connections at --connect-rate, then either holds them
// (--idle) or paces visitor messages at --rate for a warm-up and a measured window, drains
// the answers, reads the server's RSS and CPU from /proc, and prints the report (and writes
// it with --json). --merge combines several processes' reports. One thread per process: run
// several processes for more connections than one process's descriptors allow.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "agent.hpp"
#include "report.hpp"
#include "visitor.hpp"

using namespace chat::bench;
using json = nlohmann::json;

std::vector<Question> chat::bench::load_questions(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read questions file " + path);
    std::vector<Question> out;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        auto t1 = line.find('\t'), t2 = line.find('\t', t1 + 1);
        if (t1 == std::string::npos || t2 == std::string::npos) continue;
        std::string expected = line.substr(t1 + 1, t2 - t1 - 1);
        if (expected == "none" || expected == "human_agent") continue;
        std::string text = line.substr(t2 + 1);
        std::string text_json = json(text).dump();  // throws on text that is not UTF-8
        out.push_back({line.substr(0, t1), std::move(text), std::move(text_json)});
    }
    if (out.empty()) throw std::runtime_error("no question in " + path);
    return out;
}

namespace {

std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class Bench {
public:
    explicit Bench(Run& run) : run_(run), timer_(ioc_) {}

    int go() {
        const auto& o = run_.opt;
        if (o.agents > 0) {
            std::ifstream pf(o.agent_password_file);
            std::string password;
            if (!std::getline(pf, password)) throw std::runtime_error("cannot read " + o.agent_password_file);
            for (int k = 0; k < o.agents; ++k) {
                const std::string name = "bench-agent-" + std::to_string(o.agent_first + k);
                auto a = std::make_shared<Agent>(ioc_, loop_, run_, name, agent_login(o.host, o.port, name, password));
                a->start();
                agents_.push_back(a);
            }
        }
        for (int i = 0; i < o.visitors; ++i)
            visitors_.push_back(std::make_shared<Visitor>(ioc_, loop_, run_, (static_cast<std::uint64_t>(::getpid()) << 24) + i));
        started_ = Clock::now();
        ramp();
        // The pacer runs after each turn of the loop and when its next message is due.
        loop_.run(ioc_, [this]() -> std::int64_t { return run_.sending ? pace() : -1; });
        return 0;
    }

private:
    void after(std::chrono::milliseconds d, std::function<void()> f) {
        timer_.expires_after(d);
        timer_.async_wait([f = std::move(f)](boost::system::error_code ec) {
            if (!ec) f();
        });
    }

    // Opens connections at --connect-rate, 10 ms at a time.
    void ramp() {
        const auto per_tick = std::max<std::size_t>(1, static_cast<std::size_t>(run_.opt.connect_rate / 100));
        for (std::size_t k = 0; k < per_tick && next_ < visitors_.size(); ++k) visitors_[next_++]->start();
        if (next_ < visitors_.size()) return after(std::chrono::milliseconds(10), [this] { ramp(); });
        wait_connected();
    }

    void wait_connected() {
        const bool all = run_.c.connections + run_.c.connect_failures >= visitors_.size() + agents_.size();
        const bool late = Clock::now() - started_ > std::chrono::seconds(120);
        if (!(all || late) || (run_.opt.start_at_ms && wall_ms() < run_.opt.start_at_ms))
            return after(std::chrono::milliseconds(20), [this] { wait_connected(); });
        std::cerr << "chat-bench: " << run_.c.connections << " connections open, " << run_.c.connect_failures << " failed, in "
                  << std::chrono::duration<double>(Clock::now() - started_).count() << " s\n";
        if (run_.opt.idle) {
            // Let the server settle (handshake buffers freed) before reading its RSS.
            return after(std::chrono::seconds(2), [this] { open_window(); });
        }
        pace_start_ = Clock::now();
        run_.sending = true;
        after(std::chrono::milliseconds(static_cast<int>(run_.opt.warmup_s * 1000)), [this] { open_window(); });
    }

    void open_window() {
        run_.measuring = run_.recording = true;
        window_start_ = Clock::now();
        server_cpu0_ = run_.opt.server_pid ? cpu_seconds(run_.opt.server_pid) : 0;
        own_cpu0_ = own_cpu_seconds();
        after(std::chrono::milliseconds(static_cast<int>(run_.opt.duration_s * 1000)), [this] { close_window(); });
    }

    void close_window() {
        run_.measuring = false;
        w_.seconds = std::chrono::duration<double>(Clock::now() - window_start_).count();
        if (run_.opt.server_pid) {
            w_.server_cpu_s = cpu_seconds(run_.opt.server_pid) - server_cpu0_;
            w_.server_rss_kb = rss_kb(run_.opt.server_pid);
        }
        w_.own_cpu_s = own_cpu_seconds() - own_cpu0_;
        if (run_.opt.idle) return finish();
        run_.sending = false;
        // Answers to messages sent in the window still count; wait for them (longer when resuming).
        drain_until_ = Clock::now() + std::chrono::seconds(run_.opt.reconnect ? 15 : 3);
        drain();
    }

    void drain() {
        std::size_t unacked = 0;
        for (auto& v : visitors_) unacked += v->unacked();
        if (unacked > 0 && Clock::now() < drain_until_) return after(std::chrono::milliseconds(50), [this] { drain(); });
        after(std::chrono::milliseconds(200), [this] { finish(); });
    }

    void finish() {
        run_.recording = false;
        for (auto& v : visitors_) run_.c.unacked += v->unacked();
        json r = make_report(run_, w_);
        std::cout << summary_text(r) << std::flush;
        if (!run_.opt.json_path.empty()) std::ofstream(run_.opt.json_path) << r.dump(2) << '\n';
        if (run_.acked_out.is_open()) run_.acked_out.flush();
        if (!run_.opt.timeline_path.empty()) {
            std::ofstream out(run_.opt.timeline_path);
            for (const auto& [sent, latency] : run_.timeline) out << sent << ' ' << latency << '\n';
        }
        // Thousands of sockets: let the kernel close them.
        std::cout.flush();
        if (run_.c.connections == 0 && !visitors_.empty()) {
            std::cerr << "chat-bench: no connection to " << run_.opt.host << ":" << run_.opt.port << " held (" << run_.c.connect_failures
                      << " attempts failed)\n";
            std::_Exit(1);
        }
        std::_Exit(0);
    }

    // The messages due by now go out from visitors that are free. Returns when the next one is
    // due (steady clock, ns). When no visitor was free (a stall), the next look is a millisecond
    // later, as when the pacer ran on a millisecond timer: stalls count milliseconds.
    std::int64_t pace() {
        const auto now = Clock::now();
        const auto ns = [](Clock::time_point t) { return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count(); };
        if (now < stalled_until_) return ns(stalled_until_);
        const double rate = run_.opt.rate;
        if (rate <= 0) return -1;
        const double due = rate * std::chrono::duration<double>(now - pace_start_).count();
        // Never build a backlog of more than 100 ms: a generator that fell behind says so (stalls).
        if (due - issued_ > rate * 0.1 + 1) issued_ = due - rate * 0.1;
        std::size_t scanned = 0;
        while (issued_ + 1 <= due) {
            Visitor* v = nullptr;
            while (scanned < visitors_.size()) {
                auto& cand = visitors_[cursor_++ % visitors_.size()];
                ++scanned;
                if (cand->ready()) {
                    v = cand.get();
                    break;
                }
            }
            if (!v) {
                if (run_.measuring) run_.c.stalled++;
                stalled_until_ = now + std::chrono::milliseconds(1);
                return ns(stalled_until_);
            }
            v->step();
            issued_ += 1;
        }
        return ns(pace_start_) + static_cast<std::int64_t>((issued_ + 1) / rate * 1e9);
    }

    Run& run_;
    boost::asio::io_context ioc_{1};
    Loop loop_;
    boost::asio::steady_timer timer_;
    std::vector<std::shared_ptr<Visitor>> visitors_;
    std::vector<std::shared_ptr<Agent>> agents_;
    std::size_t next_ = 0, cursor_ = 0;
    double issued_ = 0;
    Clock::time_point started_, pace_start_, window_start_, drain_until_, stalled_until_;
    double server_cpu0_ = 0, own_cpu0_ = 0;
    Window w_;
};

}  // namespace

int main(int argc, char** argv) {
    ::signal(SIGPIPE, SIG_IGN);
    Run run;
    try {
        bool help = false;
        run.opt = parse_options(std::vector<std::string>(argv + 1, argv + argc), help);
        if (help) {
            std::cout << usage();
            return 0;
        }
    } catch (const std::exception& e) {
        std::cerr << "chat-bench: " << e.what() << '\n';
        return 2;
    }
    try {
        if (!run.opt.merge.empty()) {
            json r = merge_reports(run.opt.merge, run.opt.server_base_rss_kb);
            std::cout << summary_text(r);
            if (!run.opt.json_path.empty()) std::ofstream(run.opt.json_path) << r.dump(2) << '\n';
            return 0;
        }
        run.questions = load_questions(run.opt.questions_path.empty() ? CHAT_BENCH_QUESTIONS : run.opt.questions_path);
        if (!run.opt.acked_path.empty()) {
            run.acked_out.open(run.opt.acked_path, std::ios::app);
            if (!run.acked_out) throw std::runtime_error("cannot write " + run.opt.acked_path);
        }
        return Bench(run).go();
    } catch (const std::exception& e) {
        std::cerr << "chat-bench: " << e.what() << '\n';
        return 1;
    }
}
