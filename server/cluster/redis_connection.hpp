// redis_connection.hpp — one hiredis connection kept alive on a strand: connect, handshake,
// commands, pub/sub, reconnection with backoff and jitter.
//
// The engine behind RedisClient and RedisSubscriber (redis_client.hpp holds the contract).
// Every member is touched on the strand only, except the few atomics and the stats, which
// any thread may read. Internal to server/cluster: it includes Asio.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "asio_adapter.hpp"
#include "redis_client.hpp"

namespace chat::cluster {

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(boost::asio::io_context& ioc, ClientOptions opts, bool subscriber);
    ~Connection();

    void start();
    void stop();
    void command(std::vector<std::string> argv, ReplyCallback done);
    void subscribe(std::string channel, std::function<void(std::error_code)> confirmed);
    void unsubscribe(std::string channel);

    StateCallback on_state;
    RedisSubscriber::MessageCallback on_message;

    LinkState state() const { return state_.load(); }
    LinkStats stats() const;

private:
    struct Pending;
    static void on_reply(redisAsyncContext* ac, void* reply, void* privdata);
    static void on_sub_reply(redisAsyncContext* ac, void* reply, void* privdata);
    static void on_connect(const redisAsyncContext* ac, int status);
    static void on_disconnect(const redisAsyncContext* ac, int status);

    void connect();
    void connect_to(const std::string& ip);
    void handshake();
    void link_up();
    void failed(const std::string& why);
    void schedule_retry();
    void set_state(LinkState s);
    // Sends on the current context; the callback gets not_connected if hiredis refuses it.
    void send(const std::vector<std::string>& argv, ReplyCallback done);
    void send_subscribe(const std::vector<std::string>& channels);

    Strand strand_;
    ClientOptions opts_;
    const bool subscriber_;
    redisAsyncContext* ac_ = nullptr;
    bool stopping_ = false;
    bool dying_ = false;  // in the destructor: callbacks are dropped, nobody is left to run them
    int attempt_ = 0;
    std::string handshake_error_;  // why the current link's handshake failed, if it did
    boost::asio::steady_timer retry_;
    boost::asio::ip::tcp::resolver resolver_;
    std::mt19937_64 rng_;
    std::set<std::string> channels_;
    std::map<std::string, std::vector<std::function<void(std::error_code)>>> confirmations_;
    std::atomic<LinkState> state_{LinkState::connecting};
    mutable std::mutex stats_mutex_;
    LinkStats stats_;
};

}  // namespace chat::cluster
