// index.cpp — BM25 retrieval over the entries of one language, plus the explicit rules.
//
// Each entry is one document made of its example questions and keywords. Everything that
// does not depend on the message (idf, length normalisation, the whole BM25 term weight per
// posting) is computed here at load, so scoring a message is: mark its distinct terms, walk
// their postings, add. Patterns are checked against the same marks.
#include "index.hpp"

#include <algorithm>
#include <cmath>

namespace chat::bot::detail {

TermId intern(LangKB& kb, std::string_view stem) {
    const TermId id = kb.terms.emplace(stem, static_cast<TermId>(kb.term_text.size()));
    if (id == kb.term_text.size()) kb.term_text.emplace_back(stem);
    return id;
}

void build_index(LangKB& kb, const std::vector<std::vector<std::pair<TermId, float>>>& entry_terms) {
    const std::size_t nterms = kb.term_text.size();
    const std::size_t n = entry_terms.size();
    std::vector<std::uint32_t> df(nterms, 0);
    std::vector<std::uint8_t> in_social(nterms, 0), in_other(nterms, 0);
    double total_len = 0;
    for (std::size_t e = 0; e < n; ++e) {
        float len = 0;
        for (auto [t, tf] : entry_terms[e]) {
            ++df[t];
            len += tf;
            (kb.entries[e].kind == Kind::social ? in_social : in_other)[t] = 1;
        }
        kb.entries[e].length = len;
        total_len += len;
    }
    const float avg = n ? static_cast<float>(total_len / n) : 1.f;
    kb.idf.assign(nterms, 0.f);
    kb.social.assign(nterms, 0);
    for (std::size_t t = 0; t < nterms; ++t) {
        const double d = df[t];
        // A word no entry uses (only in a pattern or a phrase) weighs like an unknown word.
        kb.idf[t] = df[t] == 0 ? kUnknownWeight
                               : static_cast<float>(std::log(1.0 + (static_cast<double>(n) - d + 0.5) / (d + 0.5)));
        kb.social[t] = in_social[t] && !in_other[t];
    }
    // Postings grouped by term (counting sort).
    kb.post_begin.assign(nterms + 1, 0);
    for (const auto& terms : entry_terms) for (auto [t, tf] : terms) ++kb.post_begin[t + 1];
    for (std::size_t t = 0; t < nterms; ++t) kb.post_begin[t + 1] += kb.post_begin[t];
    kb.postings.assign(kb.post_begin[nterms], Posting{0, 0});
    std::vector<std::uint32_t> fill(kb.post_begin.begin(), kb.post_begin.end() - 1);
    for (std::size_t e = 0; e < n; ++e) {
        const float norm = kBm25K1 * (1 - kBm25B + kBm25B * kb.entries[e].length / avg);
        for (auto [t, tf] : entry_terms[e]) {
            kb.postings[fill[t]++] = Posting{static_cast<std::uint32_t>(e), kb.idf[t] * tf * (kBm25K1 + 1) / (tf + norm)};
        }
    }
    // Patterns grouped by the terms of their first group: a message can match only the
    // patterns listed under one of its terms, so only those are tried.
    kb.pattern_begin.assign(nterms + 1, 0);
    auto first_terms = [&](const Pattern& p) {
        std::vector<TermId> ts;
        for (TermId t : p.groups.front())
            if (t < nterms && std::find(ts.begin(), ts.end(), t) == ts.end()) ts.push_back(t);
        return ts;
    };
    for (const Pattern& p : kb.patterns)
        for (TermId t : first_terms(p)) ++kb.pattern_begin[t + 1];
    for (std::size_t t = 0; t < nterms; ++t) kb.pattern_begin[t + 1] += kb.pattern_begin[t];
    kb.pattern_ids.assign(kb.pattern_begin[nterms], 0);
    std::vector<std::uint32_t> pat_fill(kb.pattern_begin.begin(), kb.pattern_begin.end() - 1);
    for (std::uint32_t i = 0; i < kb.patterns.size(); ++i)
        for (TermId t : first_terms(kb.patterns[i])) kb.pattern_ids[pat_fill[t]++] = i;
    // Phrases grouped by first term.
    kb.phrase_begin.assign(nterms + 1, 0);
    for (const Phrase& p : kb.phrases) ++kb.phrase_begin[p.words[0] + 1];
    for (std::size_t t = 0; t < nterms; ++t) kb.phrase_begin[t + 1] += kb.phrase_begin[t];
    kb.phrase_ids.assign(kb.phrases.size(), 0);
    std::vector<std::uint32_t> pf(kb.phrase_begin.begin(), kb.phrase_begin.end() - 1);
    // Longer phrases first, so "mot de passe oublie" wins over "mot de passe".
    std::vector<std::uint32_t> order(kb.phrases.size());
    for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return kb.phrases[a].words.size() > kb.phrases[b].words.size(); });
    for (std::uint32_t i : order) kb.phrase_ids[pf[kb.phrases[i].words[0]]++] = i;
}

void score(const LangKB& kb, const Analysis& msg, Scores& out) {
    const std::size_t ne = kb.entries.size();
    out.bm25.assign(ne, 0.f);
    out.matched.assign(ne, 0.f);
    out.rule.assign(ne, 0);
    if (out.stamp.size() < kb.term_text.size()) out.stamp.resize(kb.term_text.size(), 0);
    if (++out.epoch == 0) { std::fill(out.stamp.begin(), out.stamp.end(), 0); out.epoch = 1; }
    const std::uint32_t ep = out.epoch;
    out.mass_all = out.mass_faq = 0;
    out.content = 0;
    out.seen.clear();
    for (const Word& w : msg.words) {
        if (w.term == kNoTerm || out.stamp[w.term] == ep) continue;
        out.stamp[w.term] = ep;  // stop words are marked too: patterns may use "pas", "not"
        out.seen.push_back(w.term);
        if (w.stop) continue;
        const float idf = kb.idf[w.term];
        ++out.content;
        out.mass_all += idf;
        if (!kb.social[w.term]) out.mass_faq += idf;
        for (std::uint32_t k = kb.post_begin[w.term]; k < kb.post_begin[w.term + 1]; ++k) {
            const Posting& p = kb.postings[k];
            out.bm25[p.entry] += p.weight;
            out.matched[p.entry] += idf;
        }
    }
    const float unknown = kUnknownWeight * static_cast<float>(std::min(msg.unknown, 12));
    out.mass_all += unknown;
    out.mass_faq += unknown;
    out.content += msg.unknown;
    // A pattern holds when each of its groups has a term of the message; one whose first
    // group has none cannot, so only the patterns listed under the message's terms are tried.
    for (TermId seen : out.seen) {
        if (seen + 1 >= kb.pattern_begin.size()) continue;
        for (std::uint32_t k = kb.pattern_begin[seen]; k < kb.pattern_begin[seen + 1]; ++k) {
            const Pattern& p = kb.patterns[kb.pattern_ids[k]];
            if (out.rule[p.entry]) continue;
            bool all = true;
            for (const auto& group : p.groups) {
                bool any = false;
                for (TermId t : group) if (t < out.stamp.size() && out.stamp[t] == ep) { any = true; break; }
                if (!any) { all = false; break; }
            }
            if (all) out.rule[p.entry] = 1;
        }
    }
}

}  // namespace chat::bot::detail
