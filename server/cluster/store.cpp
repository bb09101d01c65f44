// store.cpp — the Store's operations: arguments in, script replies out.
#include "store.hpp"

#include <iostream>

#include "scripts.hpp"

namespace chat::cluster {

namespace {
std::string str(std::int64_t v) { return std::to_string(v); }

// Checks a script's reply is an array (or reports bad_reply) and hands it on.
template <class T, class F>
ReplyCallback expect_array(std::string_view script_name, Done<T> done, F&& convert) {
    return [name = std::string(script_name), done = std::move(done), convert = std::forward<F>(convert)](
               std::error_code ec, Reply r) {
        if (ec) return done(ec, T{});
        if (r.type != Reply::Type::array) {
            std::cerr << "chatd: redis script " << name << ": " << r.describe() << std::endl;
            return done(RedisErrc::bad_reply, T{});
        }
        done({}, convert(r.elements));
    };
}

const std::string& at(const std::vector<Reply>& v, std::size_t i) {
    static const std::string empty;
    return i < v.size() ? v[i].str : empty;
}
long long num(const std::vector<Reply>& v, std::size_t i) { return i < v.size() ? v[i].integer : 0; }

Assignment assignment_at(const std::vector<Reply>& v, std::size_t i) {
    return Assignment{at(v, i), at(v, i + 1), at(v, i + 2), at(v, i + 3), num(v, i + 4)};
}
}  // namespace

Store::Store(RedisClient& client, std::string prefix) : client_(client), prefix_(std::move(prefix)) {}

std::string Store::key(std::initializer_list<std::string_view> parts) const {
    std::string k = prefix_;
    for (auto p : parts) (k += ':') += p;
    return k;
}

void Store::eval(std::string_view name, std::vector<std::string> args, ReplyCallback done) {
    const Script& s = script(name);
    std::vector<std::string> argv{"EVALSHA", s.sha1, "0", prefix_};
    argv.insert(argv.end(), args.begin(), args.end());
    client_.command(argv, [this, &s, argv, done = std::move(done)](std::error_code ec, Reply r) mutable {
        if (ec || !r.is_error() || r.str.rfind("NOSCRIPT", 0) != 0) return done(ec, std::move(r));
        argv[0] = "EVAL";
        argv[1] = s.source;
        client_.command(std::move(argv), std::move(done));
    });
}

void Store::agent_online(const AgentPresence& p, Done<long long> done) {
    std::string langs;
    for (const auto& l : p.langs) langs += (langs.empty() ? "" : ",") + l;
    eval("agent_online", {p.agent, p.node, std::to_string(p.capacity), langs, str(p.now_ms), p.status},
         [done = std::move(done)](std::error_code ec, Reply r) {
             if (ec) return done(ec, 0);
             if (r.type != Reply::Type::integer) {
                 std::cerr << "chatd: redis script agent_online: " << r.describe() << std::endl;
                 return done(RedisErrc::bad_reply, 0);
             }
             done({}, r.integer);
         });
}

void Store::agent_offline(const std::string& agent, std::int64_t now_ms, Done<std::vector<std::string>> done) {
    eval("agent_offline", {agent, str(now_ms)},
         expect_array<std::vector<std::string>>("agent_offline", std::move(done), [](const std::vector<Reply>& v) {
             std::vector<std::string> convs;
             for (const auto& e : v) convs.push_back(e.str);
             return convs;
         }));
}

void Store::enqueue(const QueueEntry& e, Done<EnqueueResult> done) {
    eval("enqueue", {e.conv, e.owner, e.visitor, e.lang, e.priority ? "1" : "0", str(e.now_ms)},
         expect_array<EnqueueResult>("enqueue", std::move(done), [](const std::vector<Reply>& v) {
             EnqueueResult r;
             r.ok = num(v, 0) == 1;
             if (r.ok) r.position = num(v, 1);
             else r.agent = at(v, 2);
             return r;
         }));
}

void Store::assign(const std::string& conv, std::int64_t now_ms, const std::string& agent, const std::string& by,
                   Done<AssignResult> done) {
    eval("assign", {conv, str(now_ms), agent, by},
         expect_array<AssignResult>("assign", std::move(done), [conv](const std::vector<Reply>& v) {
             AssignResult r;
             r.ok = num(v, 0) == 1;
             if (r.ok) {
                 r.assignment = Assignment{conv, at(v, 1), at(v, 2), at(v, 3), num(v, 4)};
             } else {
                 r.reason = at(v, 1);
                 r.assignment.conv = conv;
                 r.assignment.agent = at(v, 2);
             }
             return r;
         }));
}

void Store::drain(std::int64_t now_ms, int max, Done<std::vector<Assignment>> done) {
    eval("drain", {str(now_ms), std::to_string(max)},
         expect_array<std::vector<Assignment>>("drain", std::move(done), [](const std::vector<Reply>& v) {
             std::vector<Assignment> out;
             for (std::size_t i = 0; i + 4 < v.size(); i += 5) out.push_back(assignment_at(v, i));
             return out;
         }));
}

void Store::release(const std::string& conv, const std::string& stage, std::int64_t keep_ms, Done<std::string> done) {
    eval("release", {conv, stage, str(keep_ms)}, [done = std::move(done)](std::error_code ec, Reply r) {
        if (ec) return done(ec, "");
        if (r.type != Reply::Type::string) {
            std::cerr << "chatd: redis script release: " << r.describe() << std::endl;
            return done(RedisErrc::bad_reply, "");
        }
        done({}, r.str);
    });
}

void Store::claim(const std::string& conv, const std::string& node, Done<ClaimResult> done) {
    claim(conv, node, 0, 0, std::move(done));
}

void Store::claim(const std::string& conv, const std::string& node, std::int64_t now_ms, std::int64_t grace_ms,
                  Done<ClaimResult> done) {
    eval("claim", {conv, node, str(now_ms), str(grace_ms)},
         expect_array<ClaimResult>("claim", std::move(done), [](const std::vector<Reply>& v) {
             ClaimResult r;
             r.ok = num(v, 0) == 1;
             if (r.ok) {
                 r.epoch = num(v, 1);
                 r.owner = at(v, 2);
             } else {
                 r.owner = at(v, 2);
             }
             return r;
         }));
}

void Store::sweep(const std::string& node, std::int64_t now_ms, std::int64_t grace_ms, int count,
                  Done<std::vector<Orphan>> done) {
    eval("sweep", {node, str(now_ms), str(grace_ms), std::to_string(count)},
         expect_array<std::vector<Orphan>>("sweep", std::move(done), [](const std::vector<Reply>& v) {
             std::vector<Orphan> out;
             for (std::size_t i = 0; i + 1 < v.size(); i += 2) out.push_back({at(v, i), at(v, i + 1)});
             return out;
         }));
}

void Store::mark_since(std::int64_t now_ms) {
    client_.command({"SET", key({"since"}), str(now_ms), "NX"}, [](std::error_code, Reply) {});
}

void Store::restore(const Held& h, Done<bool> done) {
    eval("restore", {h.conv, h.owner, h.stage, h.agent, h.visitor, h.lang, h.priority ? "1" : "0", str(h.queued_ms)},
         expect_array<bool>("restore", std::move(done), [](const std::vector<Reply>& v) { return num(v, 0) == 1; }));
}

void Store::journal(const std::string& conv, const std::string& node, const std::string& visitor, std::int64_t keep_ms,
                    std::vector<std::string> events, Done<ClaimResult> done) {
    std::vector<std::string> args{conv, node, visitor, str(keep_ms)};
    for (auto& e : events) args.push_back(std::move(e));
    eval("journal", std::move(args), expect_array<ClaimResult>("journal", std::move(done), [](const std::vector<Reply>& v) {
             ClaimResult r;
             r.ok = num(v, 0) == 1;
             if (!r.ok) r.owner = at(v, 1);
             return r;
         }));
}

void Store::read_journal(const std::string& conv, Done<std::vector<std::string>> done) {
    client_.command({"XRANGE", key({"conv", conv, "journal"}), "-", "+"}, [done = std::move(done)](std::error_code ec, Reply r) {
        if (ec) return done(ec, {});
        if (r.type != Reply::Type::array) return done(RedisErrc::bad_reply, {});
        std::vector<std::string> out;
        for (const auto& entry : r.elements) {
            // [id, [field, value, …]]
            if (entry.elements.size() < 2) continue;
            const auto& fields = entry.elements[1].elements;
            for (std::size_t i = 0; i + 1 < fields.size(); i += 2)
                if (fields[i].str == "e") out.push_back(fields[i + 1].str);
        }
        done({}, std::move(out));
    });
}

void Store::publish(const std::string& channel, std::string payload, Done<long long> done) {
    client_.command({"PUBLISH", channel, std::move(payload)}, [done = std::move(done)](std::error_code ec, Reply r) {
        if (ec) return done(ec, 0);
        if (r.type != Reply::Type::integer) return done(RedisErrc::bad_reply, 0);
        done({}, r.integer);
    });
}

void Store::heartbeat(const std::string& node, std::int64_t ttl_ms, Done<bool> done) {
    client_.command({"SET", key({"node", node}), "alive", "PX", str(ttl_ms)},
                    [done = std::move(done)](std::error_code ec, Reply r) {
                        if (ec) return done(ec, false);
                        if (r.is_error()) return done(RedisErrc::bad_reply, false);
                        done({}, true);
                    });
}

}  // namespace chat::cluster
