// history.cpp — a conversation's history leaves memory for the log, and comes back.
//
// Histories are most of the router's memory: every frame of every conversation since the log
// began, where a sale day's traffic would not fit. Once a conversation has been closed for
// history_kept_ms and every one of its events is durable at a place the core reported with
// logged(), its frames are dropped. A long open conversation keeps only its latest frames
// (history_frames_kept to twice that), the ones a resume or a delivery needs, and leaves the
// older ones to the log in the same way. Whoever needs them later (a resume from an older
// seq, the transcript API, an agent's view of a reopened conversation) gets them rebuilt by
// applying the conversation's own log lines to a scratch router: the same apply() that built
// them the first time, so the frames come back byte for byte as they were.
#include "router.hpp"

#include <algorithm>

namespace chat::router {

void Router::logged(const std::string& conv, std::uint64_t place) {
    auto it = st_.conversations.find(conv);
    if (it == st_.conversations.end()) return;
    Conversation& c = it->second;
    if (c.logged_at.size() < c.events) c.logged_at.push_back(place);
    if (c.logged_at.size() == c.events) leave_oldest_frames(c);
}

void Router::leave_oldest_frames(Conversation& c) {
    const std::size_t kept = cfg_.history_frames_kept;
    if (!read_log_ || kept == 0 || c.history_in_log || c.history.size() <= 2 * kept) return;
    const std::size_t leaving = c.history.size() - kept;
    c.history.erase(c.history.begin(), c.history.begin() + static_cast<std::ptrdiff_t>(leaving));
    c.frames_in_log += static_cast<std::uint32_t>(leaving);
}

void Router::trim(std::int64_t now) {
    if (!read_log_ || cfg_.history_kept_ms < 0) {
        st_.closed.clear();
        return;
    }
    while (!st_.closed.empty() && st_.closed.front().first + cfg_.history_kept_ms <= now) {
        const auto [at, id] = std::move(st_.closed.front());
        st_.closed.pop_front();
        auto it = st_.conversations.find(id);
        if (it == st_.conversations.end()) continue;
        Conversation& c = it->second;
        const bool closed = c.stage == Stage::resolved || c.stage == Stage::abandoned;
        if (!closed || c.resolved_ms != at || c.history_in_log) continue;  // reopened since, or closed again later
        // An event without a place (adopted from another node's journal, or whose append
        // failed until the rebuild) keeps the history in memory.
        if (c.logged_at.size() != c.events) continue;
        std::vector<HistoryFrame>().swap(c.history);
        c.frames_in_log = 0;  // all of them are
        // The last visitor text is shown only while queued, which a closed conversation is
        // again only after a new message (that sets it anew).
        std::string().swap(c.preview);
        c.logged_at.shrink_to_fit();
        c.history_in_log = true;
        ++st_.histories_in_log;
    }
}

std::optional<HistoryRequest> Router::history_request(const Conversation& c) const {
    if (!c.history_in_log && c.frames_in_log == 0) return std::nullopt;
    HistoryRequest request{c.id, c.logged_at, erased_.count(c.visitor) != 0, {}};
    if (!c.history_in_log) request.tail = c.history;
    return request;
}

std::vector<HistoryFrame> Router::history_from_lines(const HistoryRequest& request, const std::vector<std::string>& lines) {
    // A conversation's frames depend on its own events only, not on the configuration.
    Router scratch(RouterConfig{}, nullptr);  // no reader: it keeps what it rebuilds
    for (const auto& line : lines) {
        const json e = json::parse(line, nullptr, false);
        if (e.is_object() && conversation_of(e) == request.conv) scratch.apply(e);
    }
    auto it = scratch.st_.conversations.find(request.conv);
    if (it == scratch.st_.conversations.end()) return {};
    std::vector<HistoryFrame> frames = std::move(it->second.history);
    if (!request.tail.empty()) {  // the log's frames up to those in memory, then those
        const std::uint64_t first = request.tail.front().seq;
        frames.erase(std::find_if(frames.begin(), frames.end(), [first](const HistoryFrame& f) { return f.seq >= first; }),
                     frames.end());
        frames.insert(frames.end(), request.tail.begin(), request.tail.end());
    }
    if (request.erased) null_texts(frames);  // the log may not be blanked yet
    return frames;
}

std::vector<HistoryFrame> Router::read_history(const Conversation& c) const {
    const auto request = history_request(c);
    if (!read_log_ || !request) return {};
    return history_from_lines(*request, read_log_(request->places));
}

const std::vector<HistoryFrame>& Router::history_of(const Conversation& c, std::vector<HistoryFrame>& scratch,
                                                    std::uint64_t after) const {
    if (!c.history_in_log && (c.frames_in_log == 0 || (!c.history.empty() && after + 1 >= c.history.front().seq)))
        return c.history;
    scratch = read_history(c);
    return scratch;
}

std::vector<HistoryFrame>& Router::history_to_extend(Conversation& c) {
    if (c.history_in_log) {
        c.history = read_history(c);
        c.history_in_log = false;
        c.frames_in_log = 0;
        --st_.histories_in_log;
    }
    return c.history;
}

void Router::null_texts(std::vector<HistoryFrame>& frames) {
    for (auto& h : frames) {
        json f = json::parse(h.frame, nullptr, false);
        if (!f.is_object()) continue;
        bool changed = false;
        for (const char* key : {"text", "comment", "email"})
            if (auto it = f.find(key); it != f.end() && !it->is_null()) *it = nullptr, changed = true;
        if (changed) h.frame = f.dump(-1, ' ', false, json::error_handler_t::replace);
    }
}

void Router::forget_texts(const std::string& visitor) {
    erased_.insert(visitor);
    auto v = st_.visitors.find(visitor);
    if (v == st_.visitors.end()) return;
    for (const auto& id : v->second.convs)
        if (auto c = st_.conversations.find(id); c != st_.conversations.end()) null_texts(c->second.history);
}

}  // namespace chat::router
