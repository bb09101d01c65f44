// server.cpp — start-up, the thread pool, signal handling and the shutdown deadline.
#include "server.hpp"

#include <iostream>
#include <thread>

#include "identity.hpp"
#include "listener.hpp"

namespace chat::server {

namespace {
// How long connections get to flush and close after SIGINT/SIGTERM before the process exits anyway.
constexpr auto kShutdownGrace = std::chrono::milliseconds(1500);
}

int run_server(Config cfg) {
    const std::string node = cfg.node.empty() ? load_or_create_node_id(cfg.data) : cfg.node;
    if (cfg.allowed_origins.empty())
        std::cerr << "chatd: warning: no --allowed-origin given: any web page may open /ws/visitor\n";

    const int threads = cfg.threads > 0 ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
    net::io_context ioc{threads};
    auto state = std::make_shared<SharedState>(cfg, node);

    error_code ec;
    auto address = net::ip::make_address(cfg.listen.address, ec);
    if (ec) throw UsageError("--listen: bad address '" + cfg.listen.address + "'");
    std::shared_ptr<Listener> listener;
    try {
        listener = std::make_shared<Listener>(ioc, tcp::endpoint{address, cfg.listen.port}, state);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen on " + cfg.listen.address + ":" + std::to_string(cfg.listen.port) +
                                 ": " + e.code().message());
    }
    listener->run();
    const auto bound = listener->local_endpoint();
    std::cout << "chatd listening on http://" << (bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string())
              << ':' << bound.port() << " (node " << node << ", web root " << state->web_root().string() << ")"
              << std::endl;

    net::signal_set signals(ioc, SIGINT, SIGTERM);
    net::steady_timer deadline(ioc);
    net::steady_timer poll(ioc);
    const auto started_stop = std::make_shared<std::chrono::steady_clock::time_point>();
    std::function<void()> wait_for_drain = [&] {
        if (state->connections() == 0 || std::chrono::steady_clock::now() - *started_stop > kShutdownGrace) {
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
        *started_stop = std::chrono::steady_clock::now();
        listener->stop();
        state->shutdown_all();
        wait_for_drain();
    });

    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (int i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : pool) t.join();
    std::cout << "chatd stopped" << std::endl;
    return 0;
}

}  // namespace chat::server
