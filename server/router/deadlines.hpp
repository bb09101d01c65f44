// deadlines.hpp — when each open conversation may next time out, so that the router's tick
// looks only at the conversations whose time may have come.
//
// The tick runs every second. Walking every open conversation at each one (two hash look-ups
// each, out of cache) cost the core thread 23 ms a second with 20,000 shoppers chatting and
// 130 ms with 100,000 (bench/RESULTS.md): every shopper's message waited behind it. Here each
// open conversation has an entry due no later than the first moment it could time out (a
// lower bound: inactivity only ever pushes the moment later); the tick takes the entries that
// are due, looks at those conversations as before, and gives the ones still open a new entry.
// The router makes an earlier entry when a change could bring the moment forward (a new stage,
// an older timestamp). An entry replaced by an earlier one stays in the heap, marked stale by
// the conversation's `check_at`, until it is due and dropped.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace chat::router {

class Deadlines {
public:
    static constexpr std::int64_t never = std::numeric_limits<std::int64_t>::max();

    // `check_at` is the due time of the conversation's live entry (never: none). An entry due
    // later than one it has already is not made.
    void schedule(const std::string& conv, std::int64_t& check_at, std::int64_t due) {
        if (due >= check_at) return;
        check_at = due;
        heap_.push_back({due, conv});
        std::push_heap(heap_.begin(), heap_.end(), later);
    }

    // Takes out every entry due at `now` or before; `still_live(conv, due)` tells whether an
    // entry is the conversation's live one (and, if so, forgets it): the ids of those are
    // appended to `out`.
    template <class StillLive>
    void take_due(std::int64_t now, StillLive&& still_live, std::vector<std::string>& out) {
        while (!heap_.empty() && heap_.front().due <= now) {
            std::pop_heap(heap_.begin(), heap_.end(), later);
            Entry e = std::move(heap_.back());
            heap_.pop_back();
            if (still_live(e.conv, e.due)) out.push_back(std::move(e.conv));
        }
    }

    void clear() { heap_.clear(); }
    std::size_t size() const { return heap_.size(); }

private:
    struct Entry {
        std::int64_t due;
        std::string conv;
    };
    static bool later(const Entry& a, const Entry& b) { return a.due > b.due; }
    std::vector<Entry> heap_;  // a min-heap on `due`
};

// a + b, held at Deadlines::never instead of overflowing (timeouts may be configured huge).
inline std::int64_t add_ms(std::int64_t a, std::int64_t b) {
    if (b > 0 && a > Deadlines::never - b) return Deadlines::never;
    return a + b;
}

}  // namespace chat::router
