// kpi_view.cpp — the live KPIs' thread: one queue of events and questions, taken in order,
// and KpiFeed, the buffer a turn's events travel in.
//
// The core's events are appended to the queue's last item while the thread is busy, so a
// burst of turns becomes one item; the thread is woken only when it waits, and after a round
// it lingers 5 ms before looking again, so that it wakes a few hundred times a second at most, not
// once per turn of the core (a wake-up is a context switch, dear on a virtual machine). A
// question waits that moment more: nothing a manager sees.
#include "kpi_view.hpp"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <pthread.h>
#include <thread>
#include <utility>

#include "engine.hpp"
#include "event.hpp"

namespace chat::server {

namespace {
constexpr auto kLinger = std::chrono::milliseconds(5);
constexpr std::size_t kItemBytes = 1 << 20;  // events gathered in one item at most

// A typed event in a feed: this header, then its strings' bytes in the order of `len`.
struct Packed {
    std::int64_t ts;
    std::uint64_t seq;
    double score;
    std::uint32_t len[8];  // node, type_text, conv, visitor, agent, faq, text, tag
    kpi::EventType type;
    kpi::Author author;
    kpi::BotOutcome outcome;
    kpi::ResolvedBy by;
    kpi::Stage stage;
    std::uint8_t has;  // 1: faq, 2: text, 4: score
};
constexpr char kLine = 'L', kEvent = 'E';
}  // namespace

void KpiFeed::line(std::string_view line) {
    const auto n = static_cast<std::uint32_t>(line.size());
    bytes_.push_back(kLine);
    bytes_.append(reinterpret_cast<const char*>(&n), sizeof n).append(line);
}

void KpiFeed::event(const kpi::Event& e) {
    const std::string_view s[8] = {e.node, e.type_text, e.conv, e.visitor, e.agent, e.faq.value_or(""), e.text.value_or(""), e.tag};
    Packed p{};
    p.ts = e.ts;
    p.seq = e.seq;
    p.score = e.score.value_or(0);
    for (int i = 0; i < 8; ++i) p.len[i] = static_cast<std::uint32_t>(s[i].size());
    p.type = e.type;
    p.author = e.author;
    p.outcome = e.outcome;
    p.by = e.by;
    p.stage = e.stage;
    p.has = static_cast<std::uint8_t>((e.faq ? 1 : 0) | (e.text ? 2 : 0) | (e.score ? 4 : 0));
    bytes_.push_back(kEvent);
    bytes_.append(reinterpret_cast<const char*>(&p), sizeof p);
    for (const auto& v : s) bytes_.append(v);
}

void KpiFeed::add_to(kpi::Engine& engine) const {
    const char* at = bytes_.data();
    const char* const end = at + bytes_.size();
    while (at < end) {
        if (*at++ == kLine) {
            std::uint32_t n;
            std::memcpy(&n, at, sizeof n);
            at += sizeof n;
            engine.add_line({at, n});
            at += n;
            continue;
        }
        Packed p;
        std::memcpy(&p, at, sizeof p);
        at += sizeof p;
        std::string_view s[8];
        for (int i = 0; i < 8; ++i) {
            s[i] = {at, p.len[i]};
            at += p.len[i];
        }
        kpi::Event e;
        e.ts = p.ts;
        e.seq = p.seq;
        e.node = s[0];
        e.type = p.type;
        e.type_text = s[1];
        e.conv = s[2];
        e.visitor = s[3];
        e.agent = s[4];
        e.author = p.author;
        e.outcome = p.outcome;
        e.by = p.by;
        e.stage = p.stage;
        if (p.has & 1) e.faq = s[5];
        if (p.has & 2) e.text = s[6];
        e.tag = s[7];
        if (p.has & 4) e.score = p.score;
        engine.add(e);
    }
}

struct KpiView::Impl {
    // Either events to add or a job (a reset or a question) to run, in the order given.
    struct Item {
        KpiFeed feed;
        std::function<void(std::unique_ptr<kpi::Engine>&)> job;
    };

    std::mutex m;
    std::condition_variable cv;
    std::deque<Item> queue;
    bool waiting = false, stopping = false;
    std::unique_ptr<kpi::Engine> engine;
    std::thread thread;

    // Queues `item`; lines go at the end of the last item when it holds lines too.
    void push(Item item) {
        bool wake;
        {
            std::lock_guard lk(m);
            if (!item.job && !queue.empty() && !queue.back().job && queue.back().feed.bytes_.size() < kItemBytes) {
                queue.back().feed.bytes_.append(item.feed.bytes_);
            } else {
                queue.push_back(std::move(item));
            }
            wake = waiting;
            waiting = false;
        }
        if (wake) cv.notify_one();
    }

    void run() {
        std::deque<Item> taken;
        for (;;) {
            {
                std::unique_lock lk(m);
                if (queue.empty() && !stopping) {
                    waiting = true;
                    cv.wait(lk, [&] { return !queue.empty() || stopping; });
                    waiting = false;
                }
                if (stopping) return;
                taken.swap(queue);
            }
            for (auto& item : taken) {
                if (item.job) {
                    item.job(engine);
                    continue;
                }
                item.feed.add_to(*engine);
            }
            taken.clear();
            std::this_thread::sleep_for(kLinger);
        }
    }
};

KpiView::KpiView() : impl_(std::make_unique<Impl>()) {
    // Normal pages: this thread shares the machine's cores with the core thread, and a huge
    // page zeroed at once (2 MB) is a burst they would both feel (kpi/arena.hpp).
    impl_->engine = std::make_unique<kpi::Engine>(kpi::Pages::normal);
    impl_->thread = std::thread([im = impl_.get()] {
        ::pthread_setname_np(::pthread_self(), "chatd-kpi");
        im->run();
    });
}

KpiView::~KpiView() {
    {
        std::lock_guard lk(impl_->m);
        impl_->stopping = true;
    }
    impl_->cv.notify_one();
    impl_->thread.join();
}

void KpiView::add(KpiFeed feed) {
    if (!feed.empty()) impl_->push({std::move(feed), {}});
}

std::future<std::string> KpiView::reset(std::function<void(kpi::Engine&)> fill) {
    auto done = std::make_shared<std::promise<std::string>>();
    auto filled = done->get_future();
    impl_->push({{}, [fill = std::move(fill), done](std::unique_ptr<kpi::Engine>& engine) {
                     std::string error;
                     try {
                         engine = std::make_unique<kpi::Engine>(kpi::Pages::normal);
                         fill(*engine);
                     } catch (const std::exception& e) {
                         error = e.what();
                         if (error.empty()) error = "the live KPIs' replay failed";
                     }
                     done->set_value(std::move(error));
                 }});
    return filled;
}

void KpiView::ask(std::function<nlohmann::json(kpi::Engine&)> question, std::function<void(nlohmann::json)> done) {
    impl_->push({{}, [question = std::move(question), done = std::move(done)](std::unique_ptr<kpi::Engine>& engine) {
                     nlohmann::json answer;
                     try {
                         answer = question(*engine);
                     } catch (const std::exception& e) {
                         answer = {{"error", "internal"}, {"message", e.what()}, {"status", 500}};
                     }
                     done(std::move(answer));
                 }});
}

}  // namespace chat::server
