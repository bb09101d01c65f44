// chatd_floor.cpp — chatd's own work on the floor's loop: what the router, the FAQ engine, the
// log lines and the live KPIs cost per message once the transport costs what relay-floor's
// does. A measuring instrument, not a server: visitors only (no agents, resume, limits, origins
// or HTTP), one loop thread running the router inline.
//
//   chatd-floor --port P --data DIR --faq DIR [--commit-window-us 2000]
//
// Each visitor connection is what chatd's VisitorSession and Core do for it, minus the
// sockets' machinery: the frame read by chatd's parse_frame (simdjson, the same checks), the
// router's visitor_connected / visitor_frame / visitor_disconnected, every event written as
// chatd writes it (Event::log_line) and fed to a live kpi::Engine as chatd feeds it (typed for
// messages, the line otherwise), the router's immediate frames sent at once and its durable
// ones only after the batch holding their events is written and fdatasync'ed (floor_loop's
// writer, chatd's commit window). Set against relay-floor (the same loop doing only
// relay.mjs's work) and chatd itself, it splits chatd's cost per message into its application
// and its transport.
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "bot.hpp"
#include "bot_adapter.hpp"
#include "engine.hpp"
#include "floor_loop.hpp"
#include "kpi_feed.hpp"
#include "protocol.hpp"
#include "router.hpp"

namespace {

using chat::floor::append_text_frame;
using chat::floor::ConnId;
using chat::floor::now_ms;
namespace router = chat::router;

constexpr std::size_t kTextChars = 4000;  // chatd's limits.text_chars default
const std::string kNode = "floor";

class ChatdApp : public chat::floor::App {
public:
    ChatdApp(chat::floor::Loop& loop, std::shared_ptr<const chat::bot::KnowledgeBase> kb)
        : loop_(loop),
          kb_(std::move(kb)),
          router_(router::RouterConfig{.node = kNode},
                  [kb = kb_](const std::string& text, const router::BotContext& ctx) { return router::ask_bot(*kb, text, ctx); }) {}

    void opened(ConnId c) override {
        unsigned char raw[16];
        if (::getrandom(raw, sizeof raw, 0) != sizeof raw) std::memset(raw, 0, sizeof raw);
        static constexpr char hex[] = "0123456789abcdef";
        std::string visitor = "v";
        for (unsigned char b : raw) {
            visitor += hex[b >> 4];
            visitor += hex[b & 15];
        }
        visitor_of_[c] = visitor;
        sessions_of_[visitor].push_back(c);
        run(router_.visitor_connected(c, visitor, visitor, std::nullopt, now_ms()), c);
    }

    void text(ConnId c, std::string_view body) override {
        chat::server::FrameError err;
        auto frame = chat::server::parse_frame(body, kTextChars, err);
        if (!frame) return error(c, err.code, err.message);
        if (frame->type == "resume") return error(c, "bad_request", "resume is not part of this measurement");
        run(router_.visitor_frame(c, visitor_of_[c], frame->body, "", "", now_ms()), c);
    }

    void binary(ConnId c) override { error(c, "bad_request", "binary frames are not accepted"); }

    void closed(ConnId c) override {
        auto it = visitor_of_.find(c);
        if (it == visitor_of_.end()) return;
        router_.visitor_disconnected(c, it->second, now_ms());
        auto& v = sessions_of_[it->second];
        v.erase(std::remove(v.begin(), v.end(), c), v.end());
        if (v.empty()) sessions_of_.erase(it->second);
        visitor_of_.erase(it);
    }

private:
    void error(ConnId c, std::string_view code, std::string_view message) {
        std::string f;
        append_text_frame(f, chat::server::error_frame(code, message));
        loop_.send(c, f);
    }

    // The connections a Send reaches (agents: none here).
    template <class F>
    void each_target(const router::Send& s, F&& f) {
        if (s.to == router::Send::To::session) return f(static_cast<ConnId>(s.session));
        if (s.to != router::Send::To::visitor) return;
        if (auto it = sessions_of_.find(s.id); it != sessions_of_.end())
            for (ConnId c : it->second) f(c);
    }

    // Core::run's part for visitors: immediate frames now; events logged and fed to the KPIs;
    // the durable frames after the sync.
    void run(router::Effects&& fx, ConnId origin) {
        for (const auto& s : fx.now)
            each_target(s, [&](ConnId c) {
                std::string f;
                append_text_frame(f, s.frame);
                loop_.send(c, f);
            });
        if (fx.events.empty() && fx.on_durable.empty()) return;
        std::string lines;
        for (const auto& e : fx.events) {
            const std::uint64_t seq = ++seq_;
            std::string line = e.log_line(kNode, seq);
            std::optional<chat::kpi::Event> typed;
            if (const auto* m = e.message()) typed = router::kpi_event(*m, kNode, seq);
            if (typed) kpi_.add(*typed);
            else kpi_.add_line(line);
            lines += line;
            lines += '\n';
        }
        std::vector<chat::floor::Reply> replies;
        for (const auto& s : fx.on_durable)
            each_target(s, [&](ConnId c) {
                chat::floor::Reply r{c, {}, {}};
                append_text_frame(r.frames, s.frame);
                replies.push_back(std::move(r));
            });
        if (origin && !fx.events.empty()) {
            // Not stored: the sender is told, as chatd does (the frame made once: chatd makes it
            // only on a failure, so it must not weigh on the measurement).
            static const std::string unavailable = [] {
                std::string f;
                append_text_frame(f, chat::server::error_frame("unavailable", "the server cannot store messages right now: try again shortly"));
                return f;
            }();
            replies.push_back({origin, {}, unavailable});
        }
        loop_.durable(lines, std::move(replies));
    }

    chat::floor::Loop& loop_;
    std::shared_ptr<const chat::bot::KnowledgeBase> kb_;
    router::Router router_;
    chat::kpi::Engine kpi_;
    std::unordered_map<ConnId, std::string> visitor_of_;
    std::unordered_map<std::string, std::vector<ConnId>> sessions_of_;
    std::uint64_t seq_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
    int port = 18702;
    std::string data = "./chatd-floor-data", faq = "faq";
    long window_us = 2000;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string_view a = argv[i];
        if (a == "--port") port = std::atoi(argv[i + 1]);
        else if (a == "--data") data = argv[i + 1];
        else if (a == "--faq") faq = argv[i + 1];
        else if (a == "--commit-window-us") window_us = std::atol(argv[i + 1]);
        else {
            std::fprintf(stderr, "chatd-floor: unknown flag %s\nusage: chatd-floor --port P --data DIR --faq DIR [--commit-window-us US]\n", argv[i]);
            return 2;
        }
    }
    auto loaded = chat::bot::load_knowledge_base(faq);
    if (auto* e = std::get_if<chat::bot::LoadError>(&loaded)) {
        std::fprintf(stderr, "chatd-floor: %s\n", chat::bot::to_string(*e).c_str());
        return 1;
    }
    const int log_fd = chat::floor::open_log(data, "chatd-floor");
    chat::floor::Loop loop(port, log_fd, window_us);
    ChatdApp app(loop, std::get<std::shared_ptr<const chat::bot::KnowledgeBase>>(loaded));
    loop.set_app(&app);
    std::printf("chatd-floor listening on ws://127.0.0.1:%d/ws/visitor (pid %d)\n", port, static_cast<int>(::getpid()));
    std::fflush(stdout);
    loop.run();
}
