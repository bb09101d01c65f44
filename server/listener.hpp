// listener.hpp — accepts TCP connections and hands each to an http_session.
//
// The listener owns the acceptor only; it knows nothing of HTTP or WebSocket. Stopping it
// closes the acceptor so no new connection arrives while the server shuts down.
#pragma once

#include <memory>

#include "net.hpp"
#include "shared_state.hpp"

namespace chat::server {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Binds and listens at once; throws boost::system::system_error naming the address.
    Listener(net::io_context& ioc, const tcp::endpoint& endpoint, std::shared_ptr<SharedState> state);

    void run();
    void stop();
    tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

private:
    void do_accept();
    void on_accept(error_code ec, tcp::socket socket);

    net::io_context& ioc_;
    tcp::acceptor acceptor_;
    std::shared_ptr<SharedState> state_;
};

}  // namespace chat::server
