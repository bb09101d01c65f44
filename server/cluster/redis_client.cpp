// redis_client.cpp — RedisClient and RedisSubscriber: thin handles on a Connection.
#include "redis_connection.hpp"

namespace chat::cluster {

RedisClient::RedisClient(boost::asio::io_context& ioc, ClientOptions opts)
    : conn_(std::make_shared<Connection>(ioc, std::move(opts), false)) {}
RedisClient::~RedisClient() { conn_->stop(); }
void RedisClient::on_state(StateCallback cb) { conn_->on_state = std::move(cb); }
void RedisClient::start() { conn_->start(); }
void RedisClient::stop() { conn_->stop(); }
void RedisClient::command(std::vector<std::string> argv, ReplyCallback done) {
    conn_->command(std::move(argv), std::move(done));
}
LinkState RedisClient::state() const { return conn_->state(); }
LinkStats RedisClient::stats() const { return conn_->stats(); }

RedisSubscriber::RedisSubscriber(boost::asio::io_context& ioc, ClientOptions opts, MessageCallback on_message)
    : conn_(std::make_shared<Connection>(ioc, std::move(opts), true)) {
    conn_->on_message = std::move(on_message);
}
RedisSubscriber::~RedisSubscriber() { conn_->stop(); }
void RedisSubscriber::on_state(StateCallback cb) { conn_->on_state = std::move(cb); }
void RedisSubscriber::start() { conn_->start(); }
void RedisSubscriber::stop() { conn_->stop(); }
void RedisSubscriber::subscribe(std::string channel, std::function<void(std::error_code)> confirmed) {
    conn_->subscribe(std::move(channel), std::move(confirmed));
}
void RedisSubscriber::unsubscribe(std::string channel) { conn_->unsubscribe(std::move(channel)); }
LinkState RedisSubscriber::state() const { return conn_->state(); }
LinkStats RedisSubscriber::stats() const { return conn_->stats(); }

}  // namespace chat::cluster
