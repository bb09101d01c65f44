// typo_index.cpp — symmetric-delete spelling correction over the knowledge base's words.
//
// Built once per language at load; a lookup hashes at most ~80 deletion variants of one
// word and binary-searches each in a flat sorted array, so an unknown word costs
// microseconds and no allocation, instead of an edit-distance scan of the vocabulary.
#include "typo_index.hpp"

#include <algorithm>

#include "strmap.hpp"

namespace chat::bot::detail {
namespace {

// Calls f(hash) for the word and every string made by deleting 1..max_del of its letters.
template <class F> void for_each_delete(std::string_view w, int max_del, F&& f) {
    char buf[TypoIndex::kMaxLen + 1];
    const std::size_t n = w.size();
    f(hash_bytes(w));
    if (max_del >= 1) {
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t k = 0;
            for (std::size_t p = 0; p < n; ++p) if (p != i) buf[k++] = w[p];
            f(hash_bytes(std::string_view(buf, k)));
        }
    }
    if (max_del >= 2 && n >= 4) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = i + 1; j < n; ++j) {
                std::size_t k = 0;
                for (std::size_t p = 0; p < n; ++p) if (p != i && p != j) buf[k++] = w[p];
                f(hash_bytes(std::string_view(buf, k)));
            }
        }
    }
}

// Same letters, two neighbours swapped.
bool is_swap(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    std::size_t i = 0;
    while (i < a.size() && a[i] == b[i]) ++i;
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
}

}  // namespace

int TypoIndex::distance(std::string_view a, std::string_view b, int limit) {
    const std::size_t n = a.size(), m = b.size();
    if ((n > m ? n - m : m - n) > static_cast<std::size_t>(limit)) return limit + 1;
    if (n > kMaxLen + 2 || m > kMaxLen + 2) return limit + 1;
    int prev2[kMaxLen + 4], prev[kMaxLen + 4], cur[kMaxLen + 4];
    for (std::size_t j = 0; j <= m; ++j) prev[j] = static_cast<int>(j);
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = static_cast<int>(i);
        int row_min = cur[0];
        for (std::size_t j = 1; j <= m; ++j) {
            const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
            int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min(v, prev2[j - 2] + 1);
            cur[j] = v;
            row_min = std::min(row_min, v);
        }
        if (row_min > limit) return limit + 1;
        std::copy(prev, prev + m + 1, prev2);
        std::copy(cur, cur + m + 1, prev);
    }
    return prev[m];
}

void TypoIndex::build(std::vector<std::string> words, std::vector<std::uint32_t> freq) {
    words_ = std::move(words);
    freq_ = std::move(freq);
    freq_.resize(words_.size(), 1);
    deletes_.clear();
    std::vector<std::uint64_t> seen;
    for (std::uint32_t id = 0; id < words_.size(); ++id) {
        const std::string& w = words_[id];
        if (w.size() < 4 || w.size() > kMaxLen) continue;
        seen.clear();
        for_each_delete(w, 2, [&](std::uint64_t h) { seen.push_back(h); });
        std::sort(seen.begin(), seen.end());
        seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
        for (std::uint64_t h : seen) deletes_.emplace_back(h, id);
    }
    std::sort(deletes_.begin(), deletes_.end());
}

std::uint32_t TypoIndex::correct(std::string_view w) const {
    if (w.size() < kMinLen || w.size() > kMaxLen) return npos;
    const int limit = allowed_distance(w.size());
    std::uint32_t best = npos;
    int best_d = limit + 1;
    for_each_delete(w, limit, [&](std::uint64_t h) {
        auto it = std::lower_bound(deletes_.begin(), deletes_.end(), std::make_pair(h, std::uint32_t{0}));
        for (; it != deletes_.end() && it->first == h; ++it) {
            const std::uint32_t id = it->second;
            if (id == best) continue;
            const int d = distance(w, words_[id], limit);
            if (d == 0) { best = npos; best_d = -1; return; }  // the word is known as it is
            if (d > limit || best_d < 0) continue;
            if (w.size() == kMinLen && !is_swap(w, words_[id])) continue;
            if (d < best_d || (d == best_d && freq_[id] > freq_[best])) { best = id; best_d = d; }
        }
    });
    return best_d < 0 ? npos : best;
}

}  // namespace chat::bot::detail
