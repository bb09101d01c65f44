// core.cpp — the core strand: router effects, durable appends, deliveries, replay, timers.
#include "core.hpp"

#include "kpi_view.hpp"
#include "kpi_feed.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>

#include "bot_service.hpp"
#include "clock.hpp"
#include "cluster_link.hpp"
#include "engine.hpp"
#include "event_log.hpp"
#include "replay.hpp"
#include "metrics.hpp"
#include "json_in.hpp"
#include "json_out.hpp"
#include "router.hpp"
#include "erased_visitors.hpp"
#include "visitor_data.hpp"
#include "websocket_session.hpp"

namespace chat::server {

using namespace std::string_view_literals;

using json = nlohmann::json;

namespace {
// How often the agents' queue view is refreshed when the queue changes.
constexpr auto kQueueEvery = std::chrono::milliseconds(200);
}  // namespace

// An event of an append that belongs to a conversation: which, and how far from the append's
// first line it is, for the router's places (router/history.cpp).
struct Core::Placed {
    std::string conv;
    std::uint64_t offset;
};

struct Core::Impl {
    std::unique_ptr<eventlog::Writer> writer;
    std::uint64_t next_seq = 1;
    std::unordered_map<SessionId, std::weak_ptr<FrameSink>> sinks;
    router::IdMap<std::vector<SessionId>> visitor_sessions, agent_sessions;  // id_hash.hpp: small maps hash too
    // Batches handed to the writer, oldest first; their frames go out in this order.
    struct Pending {
        std::uint64_t id;
        std::vector<router::Send> after;
        SessionId origin;
        std::chrono::steady_clock::time_point submitted;
        bool done = false;
        bool journaled = true;  // cluster mode: in the journals in Redis, for a takeover
        std::error_code ec;
    };
    std::deque<Pending> pending;
    // Batches the writer reported durable (or failed), not yet seen by the strand.
    struct Durable {
        std::uint64_t first, last;  // the batches one append carried
        std::size_t lines;
        std::error_code ec;
        eventlog::Placement at;
        std::vector<Placed> placed;
    };
    std::mutex durable_m;
    std::vector<Durable> durable;
    std::uint64_t next_batch = 1;
    // A turn of visitor calls: the lines of all its batches go to the writer in one append
    // at the end of the turn (batches `gathered_first` onwards), not one append each, and
    // their events to the live KPIs' thread in one hand-over.
    bool gathering = false;
    std::vector<eventlog::Line> gathered;
    KpiFeed gathered_kpi;
    std::vector<Placed> gathered_placed;
    std::uint64_t gathered_first = 0, gathered_bytes = 0;
    // A place the router keeps: the segment's index in `segments` (first seqs, oldest first)
    // in the top 24 bits, the offset in it in the low 40.
    std::vector<std::uint64_t> segments;
    static constexpr int kOffsetBits = 40;
    std::uint64_t place(eventlog::Placement p) {
        auto it = std::lower_bound(segments.begin(), segments.end(), p.segment);
        if (it == segments.end() || *it != p.segment) it = segments.insert(it, p.segment);
        return (static_cast<std::uint64_t>(it - segments.begin()) << kOffsetBits) | p.offset;
    }
    eventlog::Placement unplace(std::uint64_t place) const {
        const auto index = place >> kOffsetBits;
        return {index < segments.size() ? segments[index] : 0, place & ((std::uint64_t{1} << kOffsetBits) - 1)};
    }
    bool needs_rebuild = false;
    std::chrono::steady_clock::time_point last_rebuild{};
    std::unique_ptr<net::steady_timer> ticker, queue_ticker;
};

Core::Core(net::io_context& ioc, std::shared_ptr<SharedState> state, std::shared_ptr<BotService> bot, Metrics& metrics)
    : ioc_(ioc), strand_(net::make_strand(ioc)), state_(std::move(state)), bot_(std::move(bot)), metrics_(metrics),
      kpi_view_(std::make_unique<KpiView>()), impl_(std::make_unique<Impl>()) {}

Core::~Core() = default;

static router::RouterConfig router_config(const SharedState& state) {
    router::RouterConfig cfg;
    cfg.node = state.node();
    const auto& t = state.config().timeouts;
    cfg.reopen_window_ms = t.reopen_window_ms;
    cfg.bot_inactivity_ms = t.bot_inactivity_ms;
    cfg.agent_inactivity_ms = t.agent_inactivity_ms;
    cfg.queue_abandon_ms = t.queue_abandon_ms;
    cfg.agent_grace_ms = t.agent_grace_ms;
    cfg.history_kept_ms = t.history_kept_ms;
    cfg.history_frames_kept = state.config().limits.history_frames;
    const auto& h = state.config().hours;
    cfg.hours_set = h.set;
    cfg.utc_offset_minutes = h.utc_offset_minutes;
    cfg.open_days = h.days;
    cfg.open_minute = h.open_minute;
    cfg.close_minute = h.close_minute;
    cfg.offline_hours_fr = h.text_fr;
    cfg.offline_hours_en = h.text_en;
    return cfg;
}

void Core::replay() {
    auto bot = bot_;
    auto cfg = router_config(*state_);
    cfg.shared_queue = cluster_ != nullptr;
    router_ = std::make_unique<router::Router>(std::move(cfg), [bot](const std::string& text, const router::BotContext& ctx) {
        return bot->decide(text, ctx);
    });
    // Closed conversations' histories are read back from the log when needed.
    router_->set_log_reader([this](const std::vector<std::uint64_t>& places) {
        std::string error;
        auto lines = eventlog::read_lines_at(state_->config().data, state_->node(), placements(places), &error);
        if (!error.empty()) std::cerr << "chatd: reading a conversation's history from the log: " << error << std::endl;
        return lines;
    });
    // The live KPIs read the same segments meanwhile, on their own thread (kpi_view.hpp): the
    // two replays share nothing, and each has a core. Every line reaches the KPIs as it
    // reaches chat-kpi.
    auto kpi_filled = kpi_view_->reset([data = state_->config().data, node = state_->node()](kpi::Engine& engine) {
        eventlog::replay_segments(data, node, [&engine](std::string_view line, eventlog::Placement) { engine.add_line(line); });
    });
    // However this replay ends, the view's thread is done with the segments before it returns.
    struct Wait {
        std::future<std::string>& f;
        ~Wait() {
            if (f.valid()) f.wait();
        }
    } wait_kpi{kpi_filled};
    std::uint64_t max_seq = 0, lines = 0, unreadable = 0;
    auto counts = eventlog::replay_segments(state_->config().data, state_->node(), [&](std::string_view line, eventlog::Placement at) {
        std::string conv;
        std::optional<std::int64_t> ts;
        if (auto typed = router::read_logged(line)) {
            // A message or a lifecycle event, read straight into its struct: most lines.
            max_seq = std::max(max_seq, typed->seq);
            conv = typed->conv();
            ts = typed->ts;
            router_->apply(std::move(*typed).event());
        } else {
            json e = router::parse_json(line);
            if (e.is_discarded() || !e.is_object()) return void(++unreadable);
            try {
                if (auto s = e.find("seq"); s != e.end() && s->is_number_unsigned()) max_seq = std::max(max_seq, s->get<std::uint64_t>());
                router_->apply(e);
            } catch (const json::exception&) {
                // JSON, but not an event the router can read (a field of the wrong type): a
                // disk fault or a hand edit, skipped like a line that does not parse.
                return void(++unreadable);
            }
            conv = router::conversation_of(e);
            if (auto t = e.find("ts"); t != e.end() && t->is_number_integer()) ts = t->get<std::int64_t>();
        }
        if (!conv.empty()) router_->logged(conv, impl_->place(at));
        // Histories of conversations closed long before this point leave memory as it goes:
        // those closed more than a reopen window earlier, which no visitor can reopen (else
        // a conversation reopened again and again would be read back at each reopening).
        if (++lines % 4096 == 0 && ts) router_->trim(*ts - state_->config().timeouts.reopen_window_ms);
    });
    if (const auto error = kpi_filled.get(); !error.empty()) throw std::runtime_error(error);  // the KPIs' replay failed
    router_->finish_replay(now_ms());
    impl_->next_seq = std::max(impl_->next_seq, max_seq + 1);
    std::cout << "chatd: replayed " << counts.lines << " events from " << counts.segments << " segments ("
              << router_->state().open.size() << " open conversations, " << router_->queue_length() << " queued)" << std::endl;
    if (unreadable) std::cerr << "chatd: " << unreadable << " unreadable log lines skipped" << std::endl;
}

std::vector<eventlog::Placement> Core::placements(const std::vector<std::uint64_t>& places) const {
    std::vector<eventlog::Placement> at;
    at.reserve(places.size());
    for (auto p : places) at.push_back(impl_->unplace(p));
    return at;
}

void Core::start() {
    eventlog::Options opts;
    opts.dir = state_->config().data;
    opts.node = state_->node();
    opts.relaxed_sync_interval = std::chrono::milliseconds(state_->config().relaxed_sync_ms);
    opts.commit_window = std::chrono::microseconds(state_->config().commit_window_us);
    opts.on_sync = [&m = metrics_](std::chrono::nanoseconds took) { m.sync_latency.observe(std::chrono::duration<double>(took).count()); };
    impl_->writer = std::make_unique<eventlog::Writer>(opts);
    const auto& rec = impl_->writer->recovery();
    if (rec.torn_bytes) std::cout << "chatd: " << rec.describe() << std::endl;
    impl_->next_seq = impl_->writer->next_seq();
    replay();
    impl_->ticker = std::make_unique<net::steady_timer>(strand_);
    tick();
    impl_->queue_ticker = std::make_unique<net::steady_timer>(strand_);
    queue_tick();
}

void Core::queue_tick() {
    impl_->queue_ticker->expires_after(kQueueEvery);
    impl_->queue_ticker->async_wait([self = shared_from_this()](error_code ec) {
        if (ec) return;
        if (self->cluster_) {
            // Every node's queue, merged by each node for its own agents.
            if (auto frame = self->router_->take_queue_update(true)) self->cluster_->queue_changed(std::move(*frame));
        } else if (auto frame = self->router_->take_queue_update()) {
            // After everything already handed to the log is durable, like any other frame.
            router::Effects fx;
            fx.on_durable.push_back({router::Send::To::all_agents, {}, 0, std::move(*frame)});
            self->run(std::move(fx), 0);
        }
        self->queue_tick();
    });
}

void Core::stop() {
    if (impl_->writer) impl_->writer->close();
}

void Core::tick() {
    impl_->ticker->expires_after(std::chrono::seconds(1));
    impl_->ticker->async_wait([self = shared_from_this()](error_code ec) {
        if (ec) return;
        if (self->impl_->needs_rebuild && self->impl_->pending.empty() &&
            std::chrono::steady_clock::now() - self->impl_->last_rebuild > std::chrono::seconds(2)) {
            // The disk refused a batch: the state in memory may hold events the log does not.
            // Rebuild it from what is durable, then let traffic try again.
            self->rebuild();
        }
        if (!self->state_->stopping()) self->run(self->router_->tick(now_ms()), 0);
        if (self->cluster_) self->cluster_->tick(*self->router_);
        self->tick();
    });
}

void Core::rebuild() {
    impl_->last_rebuild = std::chrono::steady_clock::now();
    replay();
    std::unordered_map<std::string, int> v, a;
    for (auto& [id, ss] : impl_->visitor_sessions) v[id] = static_cast<int>(ss.size());
    for (auto& [id, ss] : impl_->agent_sessions) a[id] = static_cast<int>(ss.size());
    router_->restore_sessions(v, a);
    impl_->needs_rebuild = false;
    log_healthy_ = true;
}

void Core::run(router::Effects&& fx, SessionId origin) {
    auto& im = *impl_;
    // Frames are gathered per session and handed over in one post per session, in order.
    struct Outgoing {
        SessionId id;
        std::shared_ptr<FrameSink> sink;
        std::vector<std::shared_ptr<const std::string>> frames;
    };
    std::vector<Outgoing> out;
    std::unordered_map<SessionId, std::size_t> index;  // once `out` holds more than a few sessions
    auto find = [&](SessionId id) -> Outgoing* {
        if (out.size() <= 8) {
            for (auto& o : out)
                if (o.id == id) return &o;
            return nullptr;
        }
        if (index.empty())
            for (std::size_t i = 0; i < out.size(); ++i) index.emplace(out[i].id, i);
        auto it = index.find(id);
        return it == index.end() ? nullptr : &out[it->second];
    };
    auto deliver = [&](std::vector<router::Send>& sends) {
        for (auto& s : sends) {
            auto frame = std::make_shared<const std::string>(std::move(s.frame));
            auto to_session = [&](SessionId id) {
                if (auto* o = find(id)) return o->frames.push_back(frame);
                auto it = im.sinks.find(id);
                if (it == im.sinks.end()) return;
                if (auto sink = it->second.lock()) {
                    if (!index.empty()) index.emplace(id, out.size());
                    out.push_back({id, std::move(sink), {frame}});
                }
            };
            switch (s.to) {
            case router::Send::To::session: to_session(s.session); break;
            case router::Send::To::visitor:
                if (auto it = im.visitor_sessions.find(s.id); it != im.visitor_sessions.end())
                    for (auto id : it->second) to_session(id);
                break;
            case router::Send::To::agent:
                if (auto it = im.agent_sessions.find(s.id); it != im.agent_sessions.end())
                    for (auto id : it->second) to_session(id);
                else if (cluster_)
                    cluster_->to_agent(s.id, frame);  // its console is on another node
                break;
            case router::Send::To::all_agents:
                for (auto& [_, ids] : im.agent_sessions)
                    for (auto id : ids) to_session(id);
                break;
            }
        }
        for (auto& o : out) {
            metrics_.frames_out += o.frames.size();
            o.sink->send(std::move(o.frames));
        }
        out.clear();
        index.clear();
    };
    deliver(fx.now);
    if (fx.events.empty()) {
        if (fx.on_durable.empty()) return;
        if (im.pending.empty()) return deliver(fx.on_durable);
        // Behind events not yet durable (a resent message's original, say): wait for them.
        auto& last = im.pending.back().after;
        last.insert(last.end(), std::make_move_iterator(fx.on_durable.begin()), std::make_move_iterator(fx.on_durable.end()));
        return;
    }
    std::vector<eventlog::Line> lines;
    lines.reserve(fx.events.size());
    const std::string& node = state_->node();
    std::vector<Placed> placed;
    auto& places = im.gathering ? im.gathered_placed : placed;
    std::uint64_t bytes = im.gathering ? im.gathered_bytes : 0;  // from the append's first line
    KpiFeed own_kpi;  // the same events, for the live KPIs' thread
    KpiFeed& kpi = im.gathering ? im.gathered_kpi : own_kpi;
    kpi.reserve_more(fx.events.size() * 320);  // one allocation, not one a doubling
    for (auto& e : fx.events) {
        const std::uint64_t seq = im.next_seq++;
        // Messages are always typed (the router emits no JSON "message" event).
        const auto* m = e.message();
        if (m && m->author == "bot"sv) metrics_.count_bot_outcome(m->outcome.value_or(""));
        std::string line = e.log_line(node, seq);
        // A typed message or lifecycle event reaches the live KPIs as the fields its line
        // holds, not re-parsed.
        std::optional<kpi::Event> typed;
        if (m) typed = router::kpi_event(*m, node, seq);
        else if (const auto* c = e.conv_event()) typed = router::kpi_event(*c, node, seq);
        if (typed) kpi.event(*typed);
        else kpi.line(line);
        if (const auto conv = e.conv(); !conv.empty()) places.push_back({std::string(conv), bytes});
        bytes += line.size() + 1;  // the writer ends it with '\n'
        lines.push_back({seq, std::move(line)});
    }
    if (im.gathering) im.gathered_bytes = bytes;
    else kpi_view_->add(std::move(own_kpi));
    const std::uint64_t batch = im.next_batch++;
    Impl::Pending pending;
    pending.id = batch;
    pending.after = std::move(fx.on_durable);
    pending.origin = origin;
    pending.submitted = std::chrono::steady_clock::now();
    if (cluster_) pending.journaled = !cluster_->journal(*router_, fx.events, batch);
    im.pending.push_back(std::move(pending));
    if (im.gathering) {
        if (im.gathered.empty()) im.gathered_first = batch;
        im.gathered.insert(im.gathered.end(), std::make_move_iterator(lines.begin()), std::make_move_iterator(lines.end()));
    } else {
        submit(std::move(lines), batch, batch, std::move(placed));
    }
    if (cluster_) cluster_->events_written(*router_, fx.events, origin);
}

void Core::submit(std::vector<eventlog::Line> lines, std::uint64_t first, std::uint64_t last, std::vector<Placed> placed) {
    auto& im = *impl_;
    const std::size_t n = lines.size();
    im.writer->append_placed(std::move(lines), [self = shared_from_this(), first, last, n, placed = std::move(placed)](
                                                   std::error_code ec, eventlog::Placement at) mutable {
        // The writer completes a whole group of appends at once: one post to the strand for
        // all of them, not one each.
        auto& im = *self->impl_;
        bool first_done;
        {
            std::lock_guard lk(im.durable_m);
            first_done = im.durable.empty();
            im.durable.push_back({first, last, n, ec, at, std::move(placed)});
        }
        if (first_done)
            net::post(self->strand_, [self, handed = std::chrono::steady_clock::now()] {
                self->metrics_.core_wait.observe_since(handed);
                self->completed();
            });
    });
}

void Core::completed() {
    auto& im = *impl_;
    std::vector<Impl::Durable> done;
    {
        std::lock_guard lk(im.durable_m);
        done.swap(im.durable);
    }
    const auto now = std::chrono::steady_clock::now();
    for (const auto& d : done) {
        if (!d.ec) {
            metrics_.events_appended += d.lines;
            for (const auto& p : d.placed) router_->logged(p.conv, im.place({d.at.segment, d.at.offset + p.offset}));
        }
        // Batch ids are consecutive and `pending` holds them in order: index, don't search.
        for (std::uint64_t b = d.first; b <= d.last; ++b) {
            if (im.pending.empty() || b < im.pending.front().id || b - im.pending.front().id >= im.pending.size()) continue;
            auto& p = im.pending[b - im.pending.front().id];
            p.done = true;
            p.ec = d.ec;
            metrics_.append_latency.observe(std::chrono::duration<double>(now - p.submitted).count());
        }
    }
    // Every frame these batches release, in batch order, handed to each session in one go.
    router::Effects fx;
    while (!im.pending.empty() && im.pending.front().done && im.pending.front().journaled) {
        Impl::Pending p = std::move(im.pending.front());
        im.pending.pop_front();
        if (!p.ec) {
            if (fx.now.empty()) fx.now = std::move(p.after);
            else fx.now.insert(fx.now.end(), std::make_move_iterator(p.after.begin()), std::make_move_iterator(p.after.end()));
            continue;
        }
        // Not stored: nobody is told it happened. The sender gets `unavailable` (no ack, so
        // its client sends again later) and the state is rebuilt from the log.
        metrics_.append_failures++;
        log_healthy_ = false;
        im.needs_rebuild = true;
        std::cerr << "chatd: event log append failed: " << p.ec.message() << std::endl;
        if (p.origin) fx.error(p.origin, "unavailable", "the server cannot store messages right now: try again shortly");
    }
    if (!fx.now.empty()) run(std::move(fx), 0);
}

void Core::journaled(std::uint64_t batch) {
    for (auto& p : impl_->pending)
        if (p.id == batch) p.journaled = true;
    completed();  // no batch of its own: sends what is now both durable and journaled
}

bool Core::has_session(SessionId s) const { return impl_->sinks.count(s) != 0; }

void Core::visitor_hello(SessionId s, std::weak_ptr<FrameSink> sink, std::string visitor, std::string token,
                         std::optional<std::uint64_t> last_seq) {
    net::post(strand_, [self = shared_from_this(), s, sink = std::move(sink), visitor = std::move(visitor),
                        token = std::move(token), last_seq]() mutable {
        self->visitor_hello_here(s, std::move(sink), visitor, token, last_seq);
    });
}

void Core::visitor_calls(std::vector<VisitorCall> calls) {
    net::post(strand_, [self = shared_from_this(), calls = std::move(calls), handed = std::chrono::steady_clock::now()]() mutable {
        self->metrics_.core_wait.observe_since(handed);
        // However the turn ends, what it gathered goes to the writer.
        struct Turn {
            Core& core;
            explicit Turn(Core& c) : core(c) { core.impl_->gathering = true; }
            ~Turn() {
                auto& im = *core.impl_;
                im.gathering = false;
                if (!im.gathered_kpi.empty()) core.kpi_view_->add(std::exchange(im.gathered_kpi, KpiFeed{}));
                if (im.gathered.empty()) return;
                std::vector<eventlog::Line> lines;
                lines.swap(im.gathered);
                std::vector<Placed> placed;
                placed.swap(im.gathered_placed);
                im.gathered_bytes = 0;
                core.submit(std::move(lines), im.gathered_first, im.next_batch - 1, std::move(placed));
            }
        } turn(*self);
        for (auto& c : calls) {
            switch (c.kind) {
            case VisitorCall::Kind::hello: self->visitor_hello_here(c.session, std::move(c.sink), c.visitor, c.token, c.last_seq); break;
            case VisitorCall::Kind::frame: self->visitor_frame_here(c.session, c.visitor, c.frame, c.lang, c.page); break;
            case VisitorCall::Kind::gone: self->visitor_gone_here(c.session, c.visitor); break;
            }
        }
    });
}

void Core::visitor_hello_here(SessionId s, std::weak_ptr<FrameSink> sink, const std::string& visitor, const std::string& token,
                              std::optional<std::uint64_t> last_seq) {
    auto& im = *impl_;
    // A resume on a live connection: the session leaves its previous visitor first.
    im.sinks[s] = std::move(sink);
    im.visitor_sessions[visitor].push_back(s);
    // Cluster mode: a conversation of another node, maybe to take over first; it calls back.
    if (cluster_ && cluster_->visitor_hello(s, visitor, token, last_seq, *router_)) return;
    run(router_->visitor_connected(s, visitor, token, last_seq, now_ms()), s);
}

void Core::visitor_frame(SessionId s, std::string visitor, json frame, std::string lang, std::string page) {
    net::post(strand_, [self = shared_from_this(), s, visitor = std::move(visitor), frame = std::move(frame),
                        lang = std::move(lang), page = std::move(page)] {
        self->visitor_frame_here(s, visitor, frame, lang, page);
    });
}

void Core::visitor_frame_here(SessionId s, const std::string& visitor, const json& frame, const std::string& lang,
                              const std::string& page) {
    // Cluster mode: a visitor served through this node, whose conversation another node owns.
    if (cluster_ && cluster_->visitor_frame(s, visitor, frame, lang, page)) return;
    const auto it = frame.find("type");
    const std::string_view type = it != frame.end() && it->is_string() ? std::string_view(it->get_ref<const std::string&>()) : "";
    if (!log_healthy_ && type != "typing"sv) {
        router::Effects fx;
        fx.error(s, "unavailable", "the server cannot store messages right now: try again shortly");
        return run(std::move(fx), s);
    }
    if (type == "message"sv) metrics_.messages_in_visitor++;
    run(router_->visitor_frame(s, visitor, frame, lang, page, now_ms()), s);
}

static void forget(router::IdMap<std::vector<SessionId>>& map, const std::string& id, SessionId s) {
    auto it = map.find(id);
    if (it == map.end()) return;
    auto& v = it->second;
    v.erase(std::remove(v.begin(), v.end(), s), v.end());
    if (v.empty()) map.erase(it);
}

void Core::visitor_gone(SessionId s, std::string visitor) {
    net::post(strand_, [self = shared_from_this(), s, visitor = std::move(visitor)] { self->visitor_gone_here(s, visitor); });
}

void Core::visitor_gone_here(SessionId s, const std::string& visitor) {
    auto& im = *impl_;
    im.sinks.erase(s);
    forget(im.visitor_sessions, visitor, s);
    if (cluster_) cluster_->visitor_gone(s, visitor);
    router_->visitor_disconnected(s, visitor, now_ms());
}

void Core::agent_hello(SessionId s, std::weak_ptr<FrameSink> sink, std::string agent, std::vector<std::string> langs,
                       int capacity) {
    net::post(strand_, [self = shared_from_this(), s, sink = std::move(sink), agent = std::move(agent),
                        langs = std::move(langs), capacity] {
        auto& im = *self->impl_;
        im.sinks[s] = sink;
        im.agent_sessions[agent].push_back(s);
        self->router_->set_agent_profile(agent, router::AgentProfile{langs, capacity});
        self->run(self->router_->agent_connected(s, agent, now_ms()), s);
        if (self->cluster_) self->cluster_->agent_connected(s, agent, *self->router_);
    });
}

void Core::agent_frame(SessionId s, std::string agent, json frame) {
    net::post(strand_, [self = shared_from_this(), s, agent = std::move(agent), frame = std::move(frame)] {
        self->agent_frame_here(s, agent, frame);
    });
}

void Core::agent_frame_here(SessionId s, const std::string& agent, const json& frame) {
    {
        auto* self = this;
        if (!self->log_healthy_ && frame.value("type", "") != "typing"sv) {
            router::Effects fx;
            fx.error(s, "unavailable", "the server cannot store messages right now: try again shortly");
            return self->run(std::move(fx), s);
        }
        // A conversation owned by another node, or what Redis must decide (accept, transfer).
        if (cluster_ && cluster_->agent_frame(s, agent, frame, *router_)) return;
        if (frame.value("type", "") == "message"sv) self->metrics_.messages_in_agent++;
        auto fx = self->router_->agent_frame(s, agent, frame, now_ms());
        // Transfers and resolutions are also audited under the agent's name.
        std::vector<json> audits;
        for (const auto& ev : fx.events) {
            if (ev.message()) continue;
            const json& e = ev.as_json();
            const std::string type = e.value("type", "");
            if (type == "conversation.transferred"sv || (type == "conversation.resolved"sv && e.value("by", "") == "agent"sv))
                audits.push_back({{"type", "audit"}, {"ts", e.value("ts", now_ms())}, {"actor", agent},
                                  {"action", type == "conversation.transferred"sv ? "transfer" : "resolve"},
                                  {"conv", e.value("conv", "")}, {"target", e.value("conv", "")}});
        }
        fx.events.insert(fx.events.end(), audits.begin(), audits.end());
        self->run(std::move(fx), s);
    }
}

void Core::deliver_here(const std::string& agent, SessionId session, std::vector<std::shared_ptr<const std::string>> frames) {
    auto& im = *impl_;
    auto send = [&](SessionId id) {
        auto it = im.sinks.find(id);
        if (it == im.sinks.end()) return;
        if (auto sink = it->second.lock()) {
            metrics_.frames_out += frames.size();
            sink->send(frames);
        }
    };
    if (agent.empty()) return send(session);
    if (agent == "*"sv) {
        for (auto& [_, ids] : im.agent_sessions)
            for (auto id : ids) send(id);
        return;
    }
    if (auto it = im.agent_sessions.find(agent); it != im.agent_sessions.end())
        for (auto id : it->second) send(id);
}

void Core::attach_sink(SessionId s, std::weak_ptr<FrameSink> sink) { impl_->sinks[s] = std::move(sink); }

void Core::attach_visitor(SessionId s, const std::string& visitor, std::weak_ptr<FrameSink> sink) {
    impl_->sinks[s] = std::move(sink);
    auto& ids = impl_->visitor_sessions[visitor];
    if (std::find(ids.begin(), ids.end(), s) == ids.end()) ids.push_back(s);
}

void Core::agent_gone(SessionId s, std::string agent) {
    net::post(strand_, [self = shared_from_this(), s, agent = std::move(agent)] {
        auto& im = *self->impl_;
        im.sinks.erase(s);
        forget(im.agent_sessions, agent, s);
        self->run(self->router_->agent_disconnected(s, agent, now_ms()), s);
    });
}

void Core::agent_removed(std::string agent) {
    net::post(strand_, [self = shared_from_this(), agent = std::move(agent)] {
        auto& im = *self->impl_;
        if (auto it = im.agent_sessions.find(agent); it != im.agent_sessions.end()) {
            for (auto id : it->second)
                if (auto sink = im.sinks[id].lock()) sink->close_after_flush(1008, "account removed");
        }
        self->run(self->router_->agent_removed(agent, now_ms()), 0);
    });
}

void Core::texts_erased(std::vector<std::string> visitors) {
    net::post(strand_, [self = shared_from_this(), visitors = std::move(visitors)] {
        auto& im = *self->impl_;
        for (const auto& v : visitors) self->router_->forget_texts(v);  // nothing of it is served from now on
        for (const auto& v : visitors)
            if (auto it = im.visitor_sessions.find(v); it != im.visitor_sessions.end())
                for (auto id : it->second)
                    if (auto sink = im.sinks[id].lock()) sink->close_after_flush(1008, "visitor erased");
        // Lines appended for them before their connections closed are blanked too; then the
        // state (histories, live KPIs) is rebuilt from the blanked log.
        net::post(self->state_->blocking(), [self, visitors] {
            for (const auto& v : visitors) {
                try {
                    privacy::EraseLock lock(self->state_->config().data);
                    privacy::erase_visitor_texts(self->state_->config().data, v);
                } catch (const std::exception& e) {
                    std::cerr << "chatd: erasing " << v << ": " << e.what() << std::endl;
                }
            }
            net::post(self->strand_, [self] {
                if (self->impl_->pending.empty()) self->rebuild();
                else self->impl_->needs_rebuild = true, self->impl_->last_rebuild = {};
            });
        });
    });
}

void Core::audit(json event) {
    net::post(strand_, [self = shared_from_this(), event = std::move(event)]() mutable {
        event["type"] = "audit";
        if (!event.contains("ts")) event["ts"] = now_ms();
        router::Effects fx;
        fx.events.push_back(std::move(event));
        self->run(std::move(fx), 0);
    });
}

void Core::ask_kpi(std::function<json(kpi::Engine&)> question, std::function<void(json)> done) {
    kpi_view_->ask(std::move(question), std::move(done));
}

void Core::ask(std::function<json(Core&)> question, std::function<void(json)> done) {
    net::post(strand_, [self = shared_from_this(), question = std::move(question), done = std::move(done)] {
        done(question(*self));
    });
}

}  // namespace chat::server
