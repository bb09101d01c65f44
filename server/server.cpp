// server.cpp — start-up, the thread pools, signals, periodic checks and clean shutdown.
//
// Start-up order: the data directory's node id and secret, the knowledge base (a bad one
// stops start-up with file:line: reason), the accounts, the event log (replayed into the
// router and the KPI engine), and only then the listener. SIGHUP reloads the knowledge base;
// every 100 ms the accounts, the erased visitors and the CLI's audit queue are checked for
// changes (so `chatd user remove` and `chatd visitor erase` act at once), every 500 ms the
// knowledge base files; with --retention-days, old texts are erased at start and daily.
#include "server.hpp"

#include <iostream>
#include <pthread.h>
#include <thread>

#include "auth_service.hpp"
#include "bot_service.hpp"
#include "canned.hpp"
#include "clock.hpp"
#include "core.hpp"
#include "identity.hpp"
#include "listener.hpp"
#include "metrics.hpp"
#include "security_state.hpp"
#include "tls_front.hpp"
#include "visitor_loop.hpp"
#include "visitor_data.hpp"
#include "cluster_link.hpp"
#include "redis_client.hpp"

namespace chat::server {

namespace {
// How long connections get to flush and close after SIGINT/SIGTERM before the process exits anyway.
constexpr auto kShutdownGrace = std::chrono::milliseconds(1500);
constexpr auto kWatchEvery = std::chrono::milliseconds(100);
constexpr int kBotWatchTicks = 5;  // the knowledge base: every 500 ms
// Each pass that erases something rebuilds the state from the log (a pause of the core strand
// proportional to the log's size), so retention runs once a day rather than hourly.
constexpr auto kRetentionEvery = std::chrono::hours(24);
}  // namespace

int run_server(Config cfg) {
    // A --redis URL that cannot be used stops start-up before anything is written.
    cluster::ClientOptions redis_options;
    if (!cfg.redis.empty()) {
        try {
            redis_options.url = cluster::RedisUrl::parse(cfg.redis);
        } catch (const std::invalid_argument& e) {
            throw UsageError(std::string("--redis: ") + e.what());
        }
    }
    const std::string node = cfg.node.empty() ? load_or_create_node_id(cfg.data) : cfg.node;
    if (cfg.allowed_origins.empty())
        std::cerr << "chatd: warning: no --allowed-origin given: any web page may open /ws/visitor\n";

    const int threads = cfg.threads > 0 ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
    net::io_context ioc{threads};
    net::thread_pool blocking(2);
    Metrics metrics;
    auto state = std::make_shared<SharedState>(cfg, node);
    state->set_secret(load_or_create_secret(cfg.data));
    state->set_metrics(&metrics);
    state->set_blocking(&blocking);

    auto bot = std::make_shared<BotService>(cfg.faq);
    bot->load();
    state->set_bot(bot);
    AuthService auth(cfg.data, cfg.redis);
    state->set_auth(&auth);
    CannedResponses canned(cfg.data);
    state->set_canned(&canned);
    SecurityState security(cfg);
    state->set_security(&security);

    // --redis: several nodes as one (docs/scaling.md); the link is reported on /healthz and /metrics.
    std::shared_ptr<ClusterLink> cluster;
    if (!cfg.redis.empty()) {
        cluster = std::make_shared<ClusterLink>(ioc, redis_options, node, cfg.timeouts.reopen_window_ms);
        state->set_redis(&cluster->client());
    }

    // The core thread: the router and the live KPIs, on an io_context of its own; the network
    // threads carry HTTP, agents, TLS and Redis.
    net::io_context core_ioc{1};
    auto core_work = net::make_work_guard(core_ioc);
    auto core = std::make_shared<Core>(core_ioc, state, bot, metrics);
    state->set_core(core);
    // The visitors' sockets (visitor_loop.hpp) on a thread of their own beside the core's.
    net::io_context visitor_ioc{1};
    auto visitor_work = net::make_work_guard(visitor_ioc);
    VisitorLoop visitors(visitor_ioc, state);
    state->set_visitor_loop(&visitors);
    if (cluster) core->set_cluster(cluster);
    core->start();
    if (cluster) cluster->start(core);

    error_code ec;
    auto address = net::ip::make_address(cfg.listen.address, ec);
    if (ec) throw UsageError("--listen: bad address '" + cfg.listen.address + "'");
    std::shared_ptr<Listener> listener;
    std::shared_ptr<TlsFront> tls;  // with a certificate: TLS on --listen, relayed to a loopback listener
    const bool use_tls = !cfg.tls_cert.empty();
    try {
        listener = std::make_shared<Listener>(
            ioc, use_tls ? tcp::endpoint{net::ip::address_v4::loopback(), 0} : tcp::endpoint{address, cfg.listen.port}, state);
        if (use_tls)
            tls = std::make_shared<TlsFront>(ioc, tcp::endpoint{address, cfg.listen.port}, listener->local_endpoint(),
                                             cfg.tls_cert, cfg.tls_key, state, security.relayed);
    } catch (const boost::system::system_error& e) {
        core->stop();
        state->set_core(nullptr);
        throw std::runtime_error("cannot listen on " + cfg.listen.address + ":" + std::to_string(cfg.listen.port) + ": " +
                                 e.code().message());
    } catch (const std::exception&) {  // a certificate or key that does not load
        core->stop();
        state->set_core(nullptr);
        throw;
    }
    visitors.start();
    // Named, so that top -H, perf and /proc/PID/task/*/comm tell the threads apart.
    std::thread core_thread([&core_ioc] {
        ::pthread_setname_np(::pthread_self(), "chatd-core");
        core_ioc.run();
    });
    std::thread visitor_thread([&visitor_ioc] {
        ::pthread_setname_np(::pthread_self(), "chatd-visitors");
        visitor_ioc.run();
    });
    listener->run();
    if (tls) tls->run();
    const auto bound = tls ? tls->local_endpoint() : listener->local_endpoint();
    const bool v6 = bound.address().is_v6();
    std::cout << "chatd listening on " << (tls ? "https://" : "http://") << (v6 ? "[" : "") << bound.address().to_string()
              << (v6 ? "]" : "") << ':'
              << bound.port() << " (node " << node << ", " << bot->topics() << " FAQ topics, web root "
              << state->web_root().string() << ")" << std::endl;

    // Knowledge base and accounts changed on disk: pick them up.
    auto reload_bot = [&](bool force) {
        bool reloaded = false;
        if (auto err = bot->reload(force, reloaded)) {
            metrics.faq_reload_failures++;
            std::cerr << "chatd: knowledge base refused, keeping the previous one: " << *err << std::endl;
        } else if (reloaded) {
            metrics.faq_reloads++;
            std::cout << "chatd: knowledge base reloaded (" << bot->topics() << " topics)" << std::endl;
        }
    };
    // Audit events queued by `chatd visitor …` while this server holds the log.
    const auto audit_queue = cfg.data / "privacy" / "audit-queue";
    auto drain_audits = [&] {
        std::error_code size_ec;
        if (std::filesystem::file_size(audit_queue, size_ec) == 0 || size_ec) return;
        try {
            for (const auto& line : privacy::drain_audit_queue(cfg.data)) {
                auto event = nlohmann::json::parse(line, nullptr, false);
                if (!event.is_object()) continue;
                if (event.contains("ts")) event["requested_ts"] = event["ts"], event.erase("ts");  // ts: when appended
                core->audit(std::move(event));
            }
        } catch (const std::exception& ex) {
            std::cerr << "chatd: audit queue: " << ex.what() << std::endl;
        }
    };
    drain_audits();
    net::steady_timer watch(ioc);
    std::atomic<bool> watching{false};
    int ticks = 0;
    std::function<void()> watch_loop = [&] {
        watch.expires_after(kWatchEvery);
        watch.async_wait([&](error_code e) {
            if (e) return;
            const bool bot_too = ++ticks % kBotWatchTicks == 0;
            if (!watching.exchange(true)) {
                net::post(blocking, [&, bot_too] {
                    if (bot_too) reload_bot(false);
                    for (const auto& removed : auth.refresh()) core->agent_removed(removed);
                    if (auto erased = security.erased.refresh(); !erased.empty()) core->texts_erased(std::move(erased));
                    drain_audits();
                    watching = false;
                });
            }
            watch_loop();
        });
    };
    watch_loop();
    net::steady_timer retention(ioc);
    std::function<void()> retention_loop = [&] {
        if (cfg.retention_days <= 0) return;
        net::post(blocking, [&] {
            const std::int64_t cutoff = now_ms() - std::int64_t{cfg.retention_days} * 86'400'000;
            try {
                privacy::EraseLock lock(cfg.data);
                const auto n = privacy::erase_texts_before(cfg.data, cutoff);
                if (n.texts > 0) {
                    core->audit({{"actor", "system"}, {"action", "retention.erase"}, {"texts", n.texts}, {"before_ts", cutoff}});
                    core->texts_erased({});
                    std::cout << "chatd: retention: erased " << n.texts << " texts older than " << cfg.retention_days << " days"
                              << std::endl;
                }
            } catch (const std::exception& ex) {
                std::cerr << "chatd: retention: " << ex.what() << std::endl;
            }
        });
        retention.expires_after(kRetentionEvery);
        retention.async_wait([&](error_code e) {
            if (!e) retention_loop();
        });
    };
    retention_loop();
    net::signal_set hup(ioc, SIGHUP);
    std::function<void()> hup_loop = [&] {
        hup.async_wait([&](error_code e, int) {
            if (e) return;
            net::post(blocking, [&] { reload_bot(true); });
            hup_loop();
        });
    };
    hup_loop();

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    net::steady_timer poll(ioc);
    auto started_stop = std::chrono::steady_clock::now();
    std::function<void()> wait_for_drain = [&] {
        if (state->connections() == 0 || std::chrono::steady_clock::now() - started_stop > kShutdownGrace) {
            ioc.stop();
            return;
        }
        poll.expires_after(std::chrono::milliseconds(10));
        poll.async_wait([&](error_code e) {
            if (!e) wait_for_drain();
        });
    };
    signals.async_wait([&](error_code e, int) {
        if (e) return;
        started_stop = std::chrono::steady_clock::now();
        watch.cancel();
        retention.cancel();
        hup.cancel();
        listener->stop();
        if (tls) tls->stop();
        if (cluster) cluster->stop();
        state->shutdown_all();
        wait_for_drain();
    });

    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (int i = 1; i < threads; ++i)
        pool.emplace_back([&ioc] {
            ::pthread_setname_np(::pthread_self(), "chatd-net");
            ioc.run();
        });
    ioc.run();
    for (auto& t : pool) t.join();
    visitor_ioc.stop();
    visitor_thread.join();
    visitors.close_all();
    core_ioc.stop();
    core_thread.join();
    blocking.join();
    core->stop();  // everything appended is durable before we say we stopped
    state->set_core(nullptr);
    std::cout << "chatd stopped" << std::endl;
    return 0;
}

}  // namespace chat::server
