// redis_connection.cpp — connecting, handshaking, sending, pub/sub and reconnecting.
//
// The life of a link: connect() (resolving a host name first, asynchronously), hiredis's
// non-blocking connect, then a handshake (AUTH, SELECT, CLIENT SETNAME, PING, all pipelined)
// and only on its PING reply is the link `up`. A subscriber then subscribes again to every
// channel it holds. Any failure frees the context — hiredis hands each pending command a null
// reply, which becomes connection_lost — and a retry is scheduled after a jittered backoff.
#include "redis_connection.hpp"

#include <algorithm>
#include <iostream>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

namespace chat::cluster {

namespace net = boost::asio;

const char* link_state_name(LinkState s) {
    switch (s) {
    case LinkState::connecting: return "connecting";
    case LinkState::up: return "up";
    case LinkState::down: return "down";
    case LinkState::stopped: return "stopped";
    }
    return "?";
}

namespace {
Reply copy_reply(const redisReply* r) {
    Reply out;
    switch (r->type) {
    case REDIS_REPLY_STATUS: out.type = Reply::Type::status; break;
    case REDIS_REPLY_ERROR: out.type = Reply::Type::error; break;
    case REDIS_REPLY_INTEGER: out.type = Reply::Type::integer; break;
    case REDIS_REPLY_STRING: out.type = Reply::Type::string; break;
    case REDIS_REPLY_ARRAY: out.type = Reply::Type::array; break;
    default: out.type = Reply::Type::nil; break;
    }
    if (r->type == REDIS_REPLY_INTEGER) out.integer = r->integer;
    if (r->str && (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STRING))
        out.str.assign(r->str, r->len);
    if (r->type == REDIS_REPLY_ARRAY) {
        out.elements.reserve(r->elements);
        for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(copy_reply(r->element[i]));
    }
    return out;
}
}  // namespace

// What hiredis carries for one command: its callback, run exactly once.
struct Connection::Pending {
    ReplyCallback done;
};

Connection::Connection(net::io_context& ioc, ClientOptions opts, bool subscriber)
    : strand_(net::make_strand(ioc)), opts_(std::move(opts)), subscriber_(subscriber), retry_(strand_),
      resolver_(strand_), rng_(std::random_device{}()) {}

Connection::~Connection() {
    if (ac_) {
        dying_ = true;
        redisAsyncFree(ac_);
        ac_ = nullptr;
    }
}

LinkStats Connection::stats() const {
    std::lock_guard lock(stats_mutex_);
    LinkStats s = stats_;
    s.state = state_.load();
    return s;
}

void Connection::set_state(LinkState s) {
    if (state_.exchange(s) == s) return;
    if (on_state) on_state(s);
}

void Connection::start() {
    net::post(strand_, [self = shared_from_this()] { self->connect(); });
}

void Connection::stop() {
    net::post(strand_, [self = shared_from_this()] {
        if (self->stopping_) return;
        self->stopping_ = true;
        self->retry_.cancel();
        self->resolver_.cancel();
        if (self->ac_) {
            redisAsyncContext* ac = self->ac_;
            self->ac_ = nullptr;
            redisAsyncFree(ac);  // pending callbacks: null reply → stopped
        }
        for (auto& [_, waiting] : self->confirmations_)
            for (auto& f : waiting) f(RedisErrc::stopped);
        self->confirmations_.clear();
        self->set_state(LinkState::stopped);
    });
}

void Connection::connect() {
    if (stopping_) return;
    set_state(LinkState::connecting);
    boost::system::error_code ec;
    net::ip::make_address(opts_.url.host, ec);
    if (!ec) return connect_to(opts_.url.host);
    // A host name: resolve it without blocking (hiredis would call getaddrinfo in place).
    resolver_.async_resolve(opts_.url.host, std::to_string(opts_.url.port),
                            [self = shared_from_this()](const boost::system::error_code& e,
                                                        net::ip::tcp::resolver::results_type results) {
                                if (self->stopping_) return;
                                if (e || results.empty())
                                    return self->failed("cannot resolve " + self->opts_.url.host + ": " + e.message());
                                self->connect_to(results.begin()->endpoint().address().to_string());
                            });
}

void Connection::connect_to(const std::string& ip) {
    redisAsyncContext* ac = redisAsyncConnect(ip.c_str(), opts_.url.port);
    if (!ac) return failed("out of memory");
    if (ac->err) {
        std::string why = ac->errstr;
        redisAsyncFree(ac);
        return failed(why);
    }
    ac->data = this;
    attach_asio(ac, strand_);
    ac_ = ac;
    redisAsyncSetDisconnectCallback(ac, &Connection::on_disconnect);
    redisAsyncSetConnectCallback(ac, &Connection::on_connect);  // waits for the first write event
}

void Connection::on_connect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<Connection*>(ac->data);
    if (status == REDIS_OK) return self->handshake();
    // hiredis frees the context when this returns; it never was connected, so no disconnect
    // callback follows.
    std::string why = ac->errstr ? ac->errstr : "connection failed";
    self->ac_ = nullptr;
    if (!self->dying_ && !self->stopping_) self->failed(why);
}

void Connection::on_disconnect(const redisAsyncContext* ac, int status) {
    auto* self = static_cast<Connection*>(ac->data);
    if (self->ac_ == ac) self->ac_ = nullptr;
    if (self->dying_) return;
    for (auto& [_, waiting] : self->confirmations_)
        for (auto& f : waiting) f(self->stopping_ ? RedisErrc::stopped : RedisErrc::connection_lost);
    self->confirmations_.clear();
    if (self->stopping_) return;
    std::string why = std::move(self->handshake_error_);
    self->handshake_error_.clear();
    if (why.empty()) why = status == REDIS_OK ? "connection closed" : (ac->errstr ? ac->errstr : "connection lost");
    self->failed(why);
}

void Connection::handshake() {
    auto error = std::make_shared<std::string>();
    auto check = [error](const char* what) {
        return [error, what](std::error_code, Reply r) {
            if (r.is_error() && error->empty()) *error = std::string(what) + ": " + r.str;
        };
    };
    if (!opts_.url.password.empty()) send({"AUTH", opts_.url.password}, check("AUTH"));
    if (opts_.url.db) send({"SELECT", std::to_string(opts_.url.db)}, check("SELECT"));
    if (!opts_.name.empty()) send({"CLIENT", "SETNAME", opts_.name}, check("CLIENT SETNAME"));
    redisAsyncContext* ac = ac_;
    send({"PING"}, [this, error, ac](std::error_code ec, Reply r) {
        if (ec || dying_ || stopping_ || ac_ != ac) return;  // that link is already gone
        if (r.is_error() && error->empty()) *error = "PING: " + r.str;
        if (error->empty()) return link_up();
        handshake_error_ = *error;
        std::cerr << "chatd: redis " << opts_.url.describe() << ": " << *error << std::endl;
        redisAsyncDisconnect(ac_);  // the disconnect callback schedules the retry
    });
}

void Connection::link_up() {
    attempt_ = 0;
    {
        std::lock_guard lock(stats_mutex_);
        stats_.connects++;
    }
    if (subscriber_ && !channels_.empty()) send_subscribe({channels_.begin(), channels_.end()});
    set_state(LinkState::up);
}

void Connection::failed(const std::string& why) {
    {
        std::lock_guard lock(stats_mutex_);
        stats_.failed_attempts++;
        stats_.last_error = why;
    }
    set_state(LinkState::down);
    schedule_retry();
}

void Connection::schedule_retry() {
    if (stopping_) return;
    using std::chrono::milliseconds;
    const auto cap = std::max<long long>(1, opts_.backoff_max.count());
    long long d = std::max<long long>(1, opts_.backoff_initial.count());
    for (int i = 0; i < attempt_ && d < cap; ++i) d *= 2;
    d = std::min(d, cap);
    std::uniform_int_distribution<long long> pick(d / 2, d);
    ++attempt_;
    retry_.expires_after(milliseconds(pick(rng_)));
    retry_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) self->connect();
    });
}

void Connection::send(const std::vector<std::string>& argv, ReplyCallback done) {
    std::vector<const char*> args;
    std::vector<std::size_t> lens;
    args.reserve(argv.size());
    lens.reserve(argv.size());
    for (const auto& a : argv) {
        args.push_back(a.data());
        lens.push_back(a.size());
    }
    auto* pending = new Pending{std::move(done)};
    if (!ac_ || argv.empty() ||
        redisAsyncCommandArgv(ac_, &Connection::on_reply, pending, static_cast<int>(argv.size()), args.data(),
                              lens.data()) != REDIS_OK) {
        std::unique_ptr<Pending> p(pending);
        if (p->done) p->done(RedisErrc::not_connected, {});
    }
}

void Connection::on_reply(redisAsyncContext* ac, void* reply, void* privdata) {
    std::unique_ptr<Pending> p(static_cast<Pending*>(privdata));
    auto* self = static_cast<Connection*>(ac->data);
    if (self->dying_ || !p->done) return;
    if (!reply) return p->done(self->stopping_ ? RedisErrc::stopped : RedisErrc::connection_lost, {});
    p->done({}, copy_reply(static_cast<redisReply*>(reply)));
}

void Connection::command(std::vector<std::string> argv, ReplyCallback done) {
    net::dispatch(strand_, [self = shared_from_this(), argv = std::move(argv), done = std::move(done)]() mutable {
        if (self->stopping_) return done(RedisErrc::stopped, {});
        if (self->state_.load() != LinkState::up || !self->ac_) return done(RedisErrc::not_connected, {});
        self->send(argv, std::move(done));
    });
}

void Connection::send_subscribe(const std::vector<std::string>& channels) {
    std::vector<const char*> args{"SUBSCRIBE"};
    std::vector<std::size_t> lens{9};
    for (const auto& c : channels) {
        args.push_back(c.data());
        lens.push_back(c.size());
    }
    if (redisAsyncCommandArgv(ac_, &Connection::on_sub_reply, nullptr, static_cast<int>(args.size()), args.data(),
                              lens.data()) != REDIS_OK) {
        for (const auto& c : channels) {
            auto it = confirmations_.find(c);
            if (it == confirmations_.end()) continue;
            for (auto& f : it->second) f(RedisErrc::not_connected);
            confirmations_.erase(it);
        }
    }
}

void Connection::on_sub_reply(redisAsyncContext* ac, void* reply, void*) {
    auto* self = static_cast<Connection*>(ac->data);
    if (!reply || self->dying_) return;  // the context is going: on_disconnect tells the waiters
    Reply r = copy_reply(static_cast<redisReply*>(reply));
    if (r.type != Reply::Type::array || r.elements.size() < 3) return;
    const std::string& kind = r.elements[0].str;
    const std::string& channel = r.elements[1].str;
    if (kind == "message") {
        if (self->on_message) self->on_message(channel, r.elements[2].str);
    } else if (kind == "subscribe") {
        auto it = self->confirmations_.find(channel);
        if (it == self->confirmations_.end()) return;
        auto waiting = std::move(it->second);
        self->confirmations_.erase(it);
        for (auto& f : waiting) f({});
    }
}

void Connection::subscribe(std::string channel, std::function<void(std::error_code)> confirmed) {
    net::dispatch(strand_, [self = shared_from_this(), channel = std::move(channel),
                            confirmed = std::move(confirmed)]() mutable {
        if (self->stopping_) {
            if (confirmed) confirmed(RedisErrc::stopped);
            return;
        }
        self->channels_.insert(channel);
        if (self->state_.load() != LinkState::up || !self->ac_) {
            if (confirmed) confirmed(RedisErrc::not_connected);  // subscribed when the link is up
            return;
        }
        if (confirmed) self->confirmations_[channel].push_back(std::move(confirmed));
        self->send_subscribe({channel});
    });
}

void Connection::unsubscribe(std::string channel) {
    net::dispatch(strand_, [self = shared_from_this(), channel = std::move(channel)] {
        if (!self->channels_.erase(channel) || !self->ac_ || self->state_.load() != LinkState::up) return;
        const char* args[] = {"UNSUBSCRIBE", channel.data()};
        std::size_t lens[] = {11, channel.size()};
        redisAsyncCommandArgv(self->ac_, &Connection::on_sub_reply, nullptr, 2, args, lens);
    });
}

}  // namespace chat::cluster
