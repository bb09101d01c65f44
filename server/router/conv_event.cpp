// conv_event.cpp — lifecycle events to JSON and to their log line, written directly.
#include "conv_event.hpp"

#include "json_out.hpp"

namespace chat::router {

using json = nlohmann::json;

std::string_view ConvEvent::type() const {
    switch (kind) {
    case Kind::opened: return "conversation.opened";
    case Kind::reopened: return "conversation.reopened";
    case Kind::resolved: return "conversation.resolved";
    case Kind::csat: return "csat";
    }
    return "";
}

std::optional<ConvEvent::Kind> ConvEvent::applied_kind(std::string_view type) {
    ConvEvent e;
    for (Kind k : {Kind::opened, Kind::reopened, Kind::resolved}) {
        e.kind = k;
        if (type == e.type()) return k;
    }
    return std::nullopt;
}

json ConvEvent::to_json() const {
    json e{{"type", type()}, {"conv", conv}, {"ts", ts}};
    switch (kind) {
    case Kind::opened:
        e["visitor"] = visitor;
        e["lang"] = lang;
        if (page) e["page"] = *page;
        if (user_agent) e["user_agent"] = *user_agent;
        if (referrer) e["referrer"] = *referrer;
        break;
    case Kind::reopened: break;
    case Kind::resolved:
        e["by"] = by;
        if (agent) e["agent"] = *agent;
        break;
    case Kind::csat:
        e["score"] = score;
        if (comment) e["comment"] = *comment;
        break;
    }
    return e;
}

std::string ConvEvent::log_line(std::string_view node, std::uint64_t seq) const {
    // Keys in nlohmann's sorted order, as log_line(json) writes them.
    JsonOut f(192 + (user_agent ? user_agent->size() : 0) + (comment ? comment->size() : 0));
    if (kind == Kind::resolved && agent) f.str("agent", *agent);
    if (kind == Kind::resolved) f.str("by", by);
    if (kind == Kind::csat && comment) f.str("comment", *comment);
    f.str("conv", conv);
    if (kind == Kind::opened) f.str("lang", lang);
    f.str("node", node);
    if (kind == Kind::opened && page) f.str("page", *page);
    if (kind == Kind::opened && referrer) f.str("referrer", *referrer);
    if (kind == Kind::csat) f.num("score", score);
    f.num("seq", seq);
    f.num("ts", ts);
    f.str("type", type());
    if (kind == Kind::opened && user_agent) f.str("user_agent", *user_agent);
    f.raw("v", "1");
    if (kind == Kind::opened) f.str("visitor", visitor);
    return std::move(f).done();
}

}  // namespace chat::router
