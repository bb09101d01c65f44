// kb_build.cpp — interprets one language's knowledge-base file and builds its index.
//
// Order matters: synonyms first (so every later word maps to its canonical term), then each
// entry's examples and keywords become weighted term counts, patterns become groups of term
// ids, answers get the shop's settings substituted, quick replies are checked against the
// topics of the file. Then the BM25 index and the typo index are built. Any error names the
// file and line it comes from.
#include "kb_build.hpp"

#include <map>

#include "analyse.hpp"
#include "index.hpp"
#include "stem.hpp"

namespace chat::bot::detail {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> parts;
    while (true) {
        const std::size_t p = s.find(sep);
        parts.push_back(trim(s.substr(0, p)));
        if (p == std::string_view::npos) break;
        s = s.substr(p + 1);
    }
    return parts;
}

struct Builder {
    const FaqFile& file;
    const Settings& settings;
    LangKB& lk;
    std::vector<std::string>& used;
    std::map<std::string, std::uint32_t> surface_freq;

    [[noreturn]] void fail(int line, const std::string& why) const { throw LoadError{file.path, line, why}; }

    std::vector<std::string> words(std::string_view text) {
        auto ws = surface_words(lk.lex, text);
        for (const auto& w : ws) ++surface_freq[w];
        return ws;
    }
    TermId term(std::string_view w) { return intern(lk, stem(lk.lang, w)); }

    // Two passes: every single-word variant first, then the phrases, so that a phrase's
    // words already resolve to their canonical terms.
    void synonyms() {
        std::vector<std::pair<std::string_view, TermId>> phrases;
        for (const Line& l : file.synonyms) {
            const std::size_t eq = l.text.find('=');
            if (eq == std::string::npos) fail(l.line, "expected 'syn: word = variant, variant…'");
            const auto canon = words(std::string_view(l.text).substr(0, eq));
            if (canon.size() != 1) fail(l.line, "a synonym's canonical word must be exactly one word");
            if (lk.lex.is_stop(canon[0])) fail(l.line, "'" + canon[0] + "' is a stop word and cannot be a canonical word");
            const TermId c = term(canon[0]);
            lk.synonyms.push_back(Synonym{canon[0], c, l.line});
            for (std::string_view v : split(std::string_view(l.text).substr(eq + 1), ',')) {
                const auto vw = words(v);
                if (vw.empty()) fail(l.line, "empty variant in synonym list of '" + canon[0] + "'");
                if (vw.size() > 1) { phrases.emplace_back(v, c); continue; }
                const std::string st = stem(lk.lang, vw[0]);
                const TermId had = lk.terms.find(st);
                if (had != StrMap::npos && had != c)
                {
                    std::string why(1, '\'');
                    why.append(v).append("' already stands for '").append(lk.term_text[had]).append("'");
                    fail(l.line, why);
                }
                if (lk.lex.is_stop(vw[0])) fail(l.line, "'" + vw[0] + "' is a stop word and would never be seen");
                lk.terms.set(st, c);
            }
        }
        for (const auto& [v, c] : phrases) {
            Phrase p;
            p.canonical = c;
            for (const auto& w : surface_words(lk.lex, v)) p.words.push_back(term(w));
            lk.phrases.push_back(std::move(p));
        }
    }

    // Terms of a text as the query side would see them (phrases folded), stop words dropped.
    std::vector<TermId> content_terms(std::string_view text) {
        const auto ws = words(text);
        std::vector<TermId> ids;
        std::vector<bool> stop;
        for (const auto& w : ws) { ids.push_back(term(w)); stop.push_back(lk.lex.is_stop(w) || is_number(w)); }
        std::vector<TermId> out;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            bool folded = false;
            for (const Phrase& p : lk.phrases) {
                if (p.words[0] != ids[i] || i + p.words.size() > ids.size()) continue;
                bool m = true;
                for (std::size_t j = 1; j < p.words.size() && m; ++j) m = ids[i + j] == p.words[j];
                if (!m) continue;
                out.push_back(p.canonical);
                i += p.words.size() - 1;
                folded = true;
                break;
            }
            if (!folded && !stop[i]) out.push_back(ids[i]);
        }
        return out;
    }

    std::string text(std::string_view key, bool required) {
        auto it = file.texts.find(std::string(key));
        if (it == file.texts.end()) {
            if (required) fail(file.lang_line, "missing '" + std::string(key) + ":' line");
            return {};
        }
        return substitute(settings, lk.lang, it->second.text, file.path, it->second.line, &used);
    }
};

}  // namespace

Kind kind_of(std::string_view id) {
    if (id == "greeting" || id == "thanks" || id == "goodbye") return Kind::social;
    if (id == "human_agent") return Kind::human;
    return Kind::faq;
}

void build_lang(const FaqFile& file, const Settings& settings, std::vector<Topic>& topics, LangKB& lk,
                std::vector<std::string>& used) {
    lk = LangKB{};
    lk.lang = *file.lang;
    lk.present = true;
    lk.file = file.path;
    lk.lex = Lexicon::build(lk.lang);
    Builder b{file, settings, lk, used, {}};

    lk.text_fallback = b.text("text.fallback", true);
    lk.text_handoff = b.text("text.handoff", true);
    lk.text_suggest = b.text("text.suggest", true);
    lk.label_human = b.text("label.human", true);
    lk.text_empty = b.text("text.empty", false);
    if (lk.text_empty.empty()) lk.text_empty = lk.text_fallback;

    b.synonyms();

    std::map<std::string, std::size_t> index_of;
    for (const RawTopic& t : file.topics) index_of.emplace(t.id, index_of.size());

    std::vector<std::vector<std::pair<TermId, float>>> entry_terms;
    for (const RawTopic& t : file.topics) {
        Entry e;
        e.line = t.line;
        std::size_t ti = 0;
        while (ti < topics.size() && topics[ti].id != t.id) ++ti;
        if (ti == topics.size()) topics.push_back(Topic{t.id, kind_of(t.id)});
        e.topic = static_cast<std::uint32_t>(ti);
        e.kind = kind_of(t.id);
        if (!t.label.line) b.fail(t.line, "topic '" + t.id + "' has no 'label:' line");
        e.label = substitute(settings, lk.lang, t.label.text, file.path, t.label.line, &used);
        if (t.human.line) {
            if (t.human.text == "no") e.human = Human::no;
            else if (t.human.text == "offer") e.human = Human::offer;
            else if (t.human.text == "handoff") e.human = Human::handoff;
            else b.fail(t.human.line, "human must be no, offer or handoff, not '" + t.human.text + "'");
        }
        if (t.answer.empty()) b.fail(t.line, "topic '" + t.id + "' has no 'answer:' line");
        for (const Line& a : t.answer) {
            if (!e.answer.empty()) e.answer += ' ';
            e.answer += substitute(settings, lk.lang, a.text, file.path, a.line, &used);
        }
        for (const Line& r : t.replies) {
            const std::size_t arrow = r.text.find("->");
            if (arrow == std::string::npos) b.fail(r.line, "expected 'reply: label -> topic'");
            const std::string label(trim(std::string_view(r.text).substr(0, arrow)));
            const std::string target(trim(std::string_view(r.text).substr(arrow + 2)));
            if (label.empty()) b.fail(r.line, "quick reply without a label");
            if (!index_of.count(target)) b.fail(r.line, "quick reply to unknown topic '" + target + "' (not in this file)");
            if (target == t.id) b.fail(r.line, "quick reply of topic '" + t.id + "' points to itself");
            e.replies.push_back(QuickReply{substitute(settings, lk.lang, label, file.path, r.line, &used), target});
        }
        if (t.questions.empty() && t.keywords.empty() && t.patterns.empty())
            b.fail(t.line, "topic '" + t.id + "' has no 'q:', 'kw:' or 'pattern:' line, so nothing can match it");

        std::map<TermId, float> tf;
        for (const Line& q : t.questions) {
            const auto terms = b.content_terms(q.text);
            if (terms.empty()) b.fail(q.line, "example question has only stop words");
            e.questions.push_back(q);
            for (TermId id : terms) tf[id] += 1.0f;
        }
        for (const Line& k : t.keywords) {
            for (std::string_view kw : split(k.text, ',')) {
                if (kw.empty()) b.fail(k.line, "empty keyword (two commas in a row?)");
                const auto terms = b.content_terms(kw);
                if (terms.empty()) b.fail(k.line, "keyword '" + std::string(kw) + "' has only stop words");
                e.keywords.push_back(Line{std::string(kw), k.line});
                for (TermId id : terms) tf[id] += kKeywordWeight;
            }
        }
        const std::uint32_t entry_index = static_cast<std::uint32_t>(lk.entries.size());
        for (const Line& p : t.patterns) {
            Pattern pat;
            pat.entry = entry_index;
            pat.source = p;
            for (std::string_view group : split(p.text, ' ')) {
                if (group.empty()) continue;
                std::vector<TermId> alts;
                for (std::string_view alt : split(group, '|')) {
                    const auto ws = b.words(alt);
                    if (ws.size() != 1)
                        b.fail(p.line, "pattern word '" + std::string(alt) + "' must be exactly one word");
                    alts.push_back(b.term(ws[0]));
                }
                pat.groups.push_back(std::move(alts));
            }
            if (pat.groups.empty()) b.fail(p.line, "empty pattern");
            lk.patterns.push_back(std::move(pat));
        }
        entry_terms.emplace_back(tf.begin(), tf.end());
        lk.entries.push_back(std::move(e));
    }
    if (lk.entries.empty()) b.fail(file.lang_line, "no topic in this file");

    build_index(lk, entry_terms);

    // Known surface words: the file's words plus the language's own lexicon.
    auto add_lex = [&](const StrMap& m) { m.for_each([&](std::string_view w, std::uint32_t) { b.surface_freq.emplace(std::string(w), 1); }); };
    add_lex(lk.lex.stop);
    add_lex(lk.lex.sentiment);
    add_lex(lk.lex.negator);
    add_lex(lk.lex.intensifier);
    std::vector<std::string> vocab;
    std::vector<std::uint32_t> freq;
    for (const auto& [w, n] : b.surface_freq) {
        lk.surface.set(w, static_cast<std::uint32_t>(vocab.size()));
        const TermId t = lk.terms.find(stem(lk.lang, w));
        lk.surface_term.push_back(t);
        lk.surface_kind.push_back(static_cast<std::uint8_t>((lk.lex.is_stop(w) ? LangKB::kStopWord : 0) |
                                                            (lk.lex.is_feeling(w) ? LangKB::kFeelingWord : 0)));
        vocab.push_back(w);
        freq.push_back(n);
    }
    lk.typo.build(std::move(vocab), std::move(freq));
}

}  // namespace chat::bot::detail
