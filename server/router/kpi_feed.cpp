// kpi_feed.cpp — the fields of a message or lifecycle event that the KPI engine's parser extracts.
#include "kpi_feed.hpp"

#include <simdjson.h>

namespace chat::router {

std::optional<kpi::Event> kpi_event(const MessageEvent& m, std::string_view node, std::uint64_t seq) {
    kpi::Event ev;
    ev.ts = m.ts;
    ev.seq = seq;
    ev.node = node;
    ev.type = kpi::EventType::message;
    ev.type_text = "message";
    ev.conv = m.conv;
    if (ev.conv.empty()) return std::nullopt;  // the parser refuses it: let it say so
    if (m.agent) ev.agent = *m.agent;
    ev.author = kpi::author_from_name(m.author);
    if (m.bot_fields) {
        if (m.faq) ev.faq = std::string_view(*m.faq);
        ev.score = m.score;
        if (m.outcome) ev.outcome = kpi::outcome_from_name(*m.outcome);
    }
    if (ev.author == kpi::Author::visitor && m.text) {
        if (!simdjson::validate_utf8(m.text->data(), m.text->size())) return std::nullopt;
        ev.text = std::string_view(*m.text);
    }
    return ev;
}

kpi::Event kpi_event(const ConvEvent& e, std::string_view node, std::uint64_t seq) {
    kpi::Event ev;
    ev.ts = e.ts;
    ev.seq = seq;
    ev.node = node;
    ev.type_text = e.type();
    ev.conv = e.conv;
    switch (e.kind) {
    case ConvEvent::Kind::opened:
        ev.type = kpi::EventType::conversation_opened;
        ev.visitor = e.visitor;
        break;
    case ConvEvent::Kind::reopened: ev.type = kpi::EventType::conversation_reopened; break;
    case ConvEvent::Kind::resolved:
        ev.type = kpi::EventType::conversation_resolved;
        ev.by = kpi::resolved_by_from_name(e.by);
        if (e.agent) ev.agent = *e.agent;
        break;
    case ConvEvent::Kind::csat:
        ev.type = kpi::EventType::csat;
        ev.score = e.score;
        break;
    }
    return ev;
}

}  // namespace chat::router
