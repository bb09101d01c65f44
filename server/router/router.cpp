// router.cpp — the visitor's side of the router: hello and resume, messages, the bot's turn,
// handoff, CSAT/NPS, offline messages, conversions; and the helpers every command shares.
#include "router.hpp"

#include <algorithm>

#include "json_in.hpp"
#include "json_out.hpp"

namespace chat::router {

using namespace std::string_view_literals;

namespace {

bool valid_client_id(const json& v) {
    return v.is_string() && !v.get_ref<const std::string&>().empty() && v.get_ref<const std::string&>().size() <= 128;
}

std::string trimmed(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

// {"for":..., "type":"ok"}: a shopper's csat, nps, offline message or purchase is stored.
std::string ok_frame(std::string_view what) { return std::move(JsonOut(48).str("for", what).str("type", "ok")).done(); }
}  // namespace

std::string ack_frame(std::string_view client_id, std::string_view conv, std::string_view msg, std::uint64_t seq) {
    JsonOut f(96);
    f.str("client_id", client_id);
    if (!conv.empty()) f.str("conv", conv);
    return std::move(f.str("msg", msg).num("seq", seq).str("type", "ack")).done();
}

std::string resolved_frame(std::string_view conv, std::uint64_t seq, std::int64_t ts, std::string_view by,
                           std::optional<bool> ask_nps) {
    JsonOut f(128);
    if (ask_nps) f.raw("ask_csat", "true").raw("ask_nps", *ask_nps ? "true" : "false");
    return std::move(f.str("by", by).str("conv", conv).num("seq", seq).num("ts", ts).str("type", "resolved")).done();
}

void Effects::error(SessionId s, std::string_view code, std::string_view message) {
    now.push_back({Send::To::session, {}, s, dump(json{{"type", "error"}, {"code", code}, {"message", message}})});
}

Router::Router(RouterConfig cfg, BotFn bot) : cfg_(std::move(cfg)), bot_(std::move(bot)) {}

void Router::emit(Effects& fx, json event) {
    apply(event);
    fx.events.emplace_back(std::move(event));
}

void Router::emit(Effects& fx, MessageEvent&& event) {
    fx.events.emplace_back(std::move(event));
    apply(fx.events.back());
}

void Router::emit(Effects& fx, ConvEvent&& event) {
    fx.events.emplace_back(std::move(event));
    apply(fx.events.back());
}

MessageEvent Router::bot_message(const Conversation& c, std::int64_t now) const {
    MessageEvent m;
    m.conv = c.id;
    m.ts = now;
    m.msg = c.id + "." + std::to_string(c.last_seq + 1);
    m.author = "bot";
    m.bot_fields = true;
    return m;
}

Conversation* Router::current_conversation(const std::string& visitor) {
    auto v = st_.visitors.find(visitor);
    if (v == st_.visitors.end() || v->second.current.empty()) return nullptr;
    auto c = st_.conversations.find(v->second.current);
    return c == st_.conversations.end() ? nullptr : &c->second;
}

std::size_t Router::queue_position(const std::string& conv) const {
    std::size_t pos = 0;
    for (auto* q : {&st_.queue_priority, &st_.queue_normal})
        for (const auto& id : *q) {
            ++pos;
            if (id == conv) return pos;
        }
    return 0;
}

std::string Router::message_frame(const Conversation& c, const MessageEvent& e, std::uint64_t seq) const {
    // Written directly (keys in nlohmann's sorted order): one per message, on the hot path.
    const std::string_view author = e.author;
    JsonOut f(192 + (e.text ? e.text->size() : 0) + e.suggestions.size());
    if (author == "agent"sv) f.str("agent_name", e.agent ? std::string_view(*e.agent) : std::string_view());
    f.str("author", author);
    if (author == "visitor"sv && e.client_id) f.str("client_id", *e.client_id);
    f.str("conv", c.id);
    if (author == "bot"sv) {
        if (e.faq) f.str("faq", *e.faq);
        else f.raw("faq", "null");
    }
    f.str("msg", e.msg);
    if (author == "bot"sv && e.outcome) f.str("outcome", *e.outcome);
    f.num("seq", seq);
    if (author == "bot"sv) f.raw("suggestions", e.suggestions.empty() ? std::string_view("[]") : std::string_view(e.suggestions));
    f.raw("text", e.text_json());
    f.num("ts", e.ts);
    f.str("type", "message");
    return std::move(f).done();
}

void Router::deliver(Effects& fx, const Conversation& c, const std::string& frame, bool visitor_visible) {
    if (visitor_visible) fx.on_durable.push_back({Send::To::visitor, c.visitor, 0, frame});
    if (c.stage == Stage::assigned && !c.agent.empty()) fx.on_durable.push_back({Send::To::agent, c.agent, 0, frame});
}

json Router::conversation_summary(const Conversation& c) const {
    json j{{"conv", c.id},
           {"visitor", c.visitor},
           {"lang", c.lang},
           {"page", c.page},
           {"stage", stage_name(c.stage)},
           {"priority", c.priority},
           {"opened_ms", c.opened_ms},
           {"last_activity_ms", c.last_activity_ms},
           {"last_seq", c.last_seq},
           {"tags", c.tags}};
    if (!c.agent.empty()) j["agent"] = c.agent;
    if (c.stage == Stage::queued) j["queued_ms"] = c.queued_ms;
    if (!c.resolved_by.empty()) j["resolved_by"] = c.resolved_by;
    return j;
}

// ---------------------------------------------------------------------------------------
// Visitors

Effects Router::visitor_connected(SessionId s, const std::string& visitor, const std::string& token,
                                  std::optional<std::uint64_t> last_seq, std::int64_t now) {
    Effects fx;
    auto v = st_.visitors.find(visitor);
    const Conversation* c = nullptr;
    if (v != st_.visitors.end()) {
        v->second.sessions++;
        c = current_conversation(visitor);
        if (c && c->stage == Stage::abandoned) c = nullptr;
        if (c && c->stage == Stage::resolved && now - c->resolved_ms > cfg_.reopen_window_ms) c = nullptr;
    }
    json w{{"type", "welcome"}, {"visitor", visitor}, {"token", token}, {"conv", c ? json(c->id) : json(nullptr)},
           {"last_seq", c ? c->last_seq : 0}};
    if (c) w["stage"] = stage_name(c->stage);
    fx.now.push_back({Send::To::session, {}, s, dump(w)});
    if (c && last_seq && *last_seq < c->last_seq) {
        std::vector<HistoryFrame> scratch;
        for (const auto& h : history_of(*c, scratch, *last_seq))
            if (h.visitor_visible && h.seq > *last_seq) fx.now.push_back({Send::To::session, {}, s, h.frame});
    }
    if (c && c->stage == Stage::queued)
        fx.now.push_back({Send::To::session, {}, s, dump(json{{"type", "queued"}, {"position", queue_position(c->id)}})});
    return fx;
}

void Router::visitor_disconnected(SessionId, const std::string& visitor, std::int64_t now) {
    auto v = st_.visitors.find(visitor);
    if (v == st_.visitors.end()) return;
    if (v->second.sessions > 0 && --v->second.sessions == 0) v->second.disconnected_ms = now;
}

Effects Router::visitor_frame(SessionId s, const std::string& visitor, const json& frame, const std::string& lang,
                              const std::string& page, std::int64_t now) {
    Effects fx;
    const std::string type = frame.value("type", "");
    if (type == "message"sv) {
        fx.events.reserve(4);  // the message, the bot's answer, perhaps the conversation's opening
        fx.on_durable.reserve(4);
        visitor_message(fx, s, visitor, frame, lang, page, now);
    } else if (type == "handoff"sv) {
        Conversation* c = current_conversation(visitor);
        if (!c || c->stage == Stage::resolved || c->stage == Stage::abandoned) {
            fx.error(s, "bad_request", "no open conversation: send a message first");
        } else if (c->stage == Stage::bot) {
            request_handoff(fx, *c, "visitor_asked", false, now);
        } else if (c->stage == Stage::queued) {
            fx.now.push_back({Send::To::session, {}, s, dump(json{{"type", "queued"}, {"position", queue_position(c->id)}})});
        }
    } else if (type == "typing"sv) {
        Conversation* c = current_conversation(visitor);
        if (c && c->stage == Stage::assigned)
            fx.now.push_back({Send::To::agent, c->agent, 0,
                              dump(json{{"type", "typing"}, {"conv", c->id}, {"on", frame.value("on", false)}, {"author", "visitor"}})});
    } else if (type == "csat"sv) {
        Conversation* c = current_conversation(visitor);
        const json& score = member(frame, "score");
        if (!score.is_number_integer() || score.get<std::int64_t>() < 1 || score.get<std::int64_t>() > 5) {
            fx.error(s, "bad_request", "csat score must be a whole number from 1 to 5");
        } else if (!c) {
            fx.error(s, "not_found", "no conversation to rate");
        } else {
            ConvEvent e;
            e.kind = ConvEvent::Kind::csat;
            e.conv = c->id;
            e.ts = now;
            e.score = score.get<int>();
            if (auto it = frame.find("comment"); it != frame.end() && it->is_string() && !it->get_ref<const std::string&>().empty())
                e.comment = it->get<std::string>();
            emit(fx, std::move(e));
            fx.on_durable.push_back({Send::To::session, {}, s, ok_frame("csat")});
        }
    } else if (type == "nps"sv) {
        Conversation* c = current_conversation(visitor);
        const json& score = member(frame, "score");
        if (!score.is_number_integer() || score.get<std::int64_t>() < 0 || score.get<std::int64_t>() > 10) {
            fx.error(s, "bad_request", "nps score must be a whole number from 0 to 10");
        } else if (!c) {
            fx.error(s, "not_found", "no conversation to rate");
        } else {
            emit(fx, json{{"type", "nps"}, {"conv", c->id}, {"ts", now}, {"score", score}, {"visitor", visitor}});
            fx.on_durable.push_back({Send::To::session, {}, s, ok_frame("nps")});
        }
    } else if (type == "resolve"sv) {
        Conversation* c = current_conversation(visitor);
        if (!c || c->stage == Stage::resolved || c->stage == Stage::abandoned)
            fx.error(s, "not_found", "no open conversation");
        else
            resolve(fx, *c, "visitor", "", now);
    } else if (type == "helpful"sv) {
        Conversation* c = current_conversation(visitor);
        if (!c || c->stage != Stage::bot) {
            fx.error(s, "bad_request", "no bot answer to rate");
        } else if (frame.value("value", false)) {
            resolve(fx, *c, "bot", "", now);
        } else {
            const bool fr = c->lang == "fr"sv;
            MessageEvent e = bot_message(*c, now);
            e.text = fr ? "Désolé de ne pas avoir pu vous aider. Voulez-vous parler à un conseiller ?"
                        : "Sorry I could not help. Would you like to talk to someone from our team?";
            e.outcome = "fallback";
            e.set_suggestions({{fr ? "Parler à un conseiller" : "Talk to a person", "human_agent"}});
            emit(fx, std::move(e));
            deliver(fx, *c, c->history.back().frame, true);
        }
    } else if (type == "offline_message"sv) {
        const json& email = member(frame, "email");
        const json& text = member(frame, "text");
        const std::string em = email.is_string() ? email.get<std::string>() : "";
        const auto at = em.find('@');
        if (em.size() > 254 || at == std::string::npos || at == 0 || em.find('.', at) == std::string::npos ||
            em.find_first_of(" \t\r\n<>") != std::string::npos) {
            fx.error(s, "bad_request", "a valid email address is needed");
        } else if (!text.is_string() || trimmed(text.get<std::string>()).empty()) {
            fx.error(s, "bad_request", "the message is empty");
        } else {
            json e{{"type", "offline.message"}, {"ts", now}, {"visitor", visitor}, {"email", em}, {"text", text}};
            if (Conversation* c = current_conversation(visitor)) e["conv"] = c->id;
            emit(fx, std::move(e));
            fx.on_durable.push_back({Send::To::session, {}, s, ok_frame("offline_message")});
        }
    } else if (type == "track"sv) {
        const json& value = member(frame, "value");
        const std::string currency = frame.value("currency", "");
        if (frame.value("event", "") != "purchase"sv) {
            fx.error(s, "bad_request", "only the \"purchase\" event is tracked");
        } else if (!value.is_number() || value.get<double>() < 0 || currency.size() != 3) {
            fx.error(s, "bad_request", "purchase needs a number \"value\" and a 3-letter \"currency\"");
        } else {
            json e{{"type", "visitor.converted"}, {"ts", now}, {"visitor", visitor}, {"value", value}, {"currency", currency}};
            if (auto it = frame.find("order"); it != frame.end() && it->is_string()) e["order"] = *it;
            emit(fx, std::move(e));
            fx.on_durable.push_back({Send::To::session, {}, s, ok_frame("track")});
        }
    } else {
        fx.error(s, "bad_request", "unknown frame type '" + type + "'");
    }
    finish(fx);
    return fx;
}

void Router::visitor_message(Effects& fx, SessionId s, const std::string& visitor, const json& frame,
                             const std::string& lang, const std::string& page, std::int64_t now) {
    const json& cid = member(frame, "client_id");
    const json& text = member(frame, "text");
    if (!valid_client_id(cid)) return fx.error(s, "bad_request", "message needs a \"client_id\" string of 1 to 128 characters");
    if (!text.is_string() || text.get_ref<const std::string&>().find_first_not_of(" \t\r\n") == std::string::npos)
        return fx.error(s, "bad_request", "message needs a non-empty \"text\"");
    const std::string& client_id = cid.get_ref<const std::string&>();

    // A resend: answer with the original ack, never log it twice.
    if (auto v = st_.visitors.find(visitor); v != st_.visitors.end()) {
        if (auto it = v->second.client_ids.find(client_id); it != v->second.client_ids.end()) {
            fx.on_durable.push_back({Send::To::session, {}, s,
                                     ack_frame(client_id, "", it->second.msg, it->second.seq)});
            return;
        }
    }

    Conversation* c = current_conversation(visitor);
    const bool is_new = !c || c->stage == Stage::abandoned ||
                        (c->stage == Stage::resolved && now - c->resolved_ms > cfg_.reopen_window_ms);
    const std::string& body = text.get_ref<const std::string&>();

    // The bot looks at the message before anything is logged: its language opens the conversation.
    std::optional<BotAnswer> answer;
    if (is_new || c->stage == Stage::bot || c->stage == Stage::resolved) {
        BotContext ctx;
        ctx.lang = is_new ? lang : c->lang;
        ctx.fallback_streak = is_new || c->stage == Stage::resolved ? 0 : c->fallback_streak;
        if (auto f = frame.find("faq"); f != frame.end() && f->is_string()) ctx.faq = f->get<std::string>();
        answer = bot_(body, ctx);
    }

    if (is_new) {
        const std::string id = "c" + cfg_.node + "-" + std::to_string(st_.opened_count + 1);
        ConvEvent e;
        e.kind = ConvEvent::Kind::opened;
        e.conv = id;
        e.ts = now;
        e.visitor = visitor;
        e.lang = !lang.empty() ? lang : (answer ? answer->lang : "en");
        if (!page.empty()) e.page = page;
        if (auto ua = frame.find("user_agent"); ua != frame.end() && ua->is_string()) e.user_agent = ua->get<std::string>();
        if (auto ref = frame.find("referrer"); ref != frame.end() && ref->is_string()) e.referrer = ref->get<std::string>();
        emit(fx, std::move(e));
        c = &st_.conversations[id];
        if (auto v = st_.visitors.find(visitor); v != st_.visitors.end() && v->second.sessions == 0) v->second.sessions = 1;
    } else if (c->stage == Stage::resolved) {
        ConvEvent e;
        e.kind = ConvEvent::Kind::reopened;
        e.conv = c->id;
        e.ts = now;
        emit(fx, std::move(e));
    }

    MessageEvent e;
    e.conv = c->id;
    e.ts = now;
    e.msg = c->id + "." + std::to_string(c->last_seq + 1);
    e.author = "visitor";
    e.text = body;
    e.client_id = client_id;
    std::string ack_msg = e.msg;
    emit(fx, std::move(e));
    fx.on_durable.push_back({Send::To::session, {}, s,
                             ack_frame(client_id, "", ack_msg, c->last_seq)});
    deliver(fx, *c, c->history.back().frame, true);

    if (answer && c->stage == Stage::bot) bot_reply(fx, *c, std::move(*answer), now);
}

void Router::bot_reply(Effects& fx, Conversation& c, BotAnswer&& a, std::int64_t now) {
    MessageEvent e = bot_message(c, now);
    e.text = std::move(a.text);
    e.faq = a.faq;
    e.score = a.score;
    e.outcome = a.outcome;
    e.set_suggestions(a.suggestions);
    if (a.intent) e.intent = *a.intent;
    if (!a.lang.empty()) e.lang = a.lang;
    emit(fx, std::move(e));
    deliver(fx, c, c.history.back().frame, true);
    if (a.outcome == "handoff"sv)
        request_handoff(fx, c, a.handoff_reason.empty() ? "visitor_asked" : a.handoff_reason, a.priority, now);
}

}  // namespace chat::router
