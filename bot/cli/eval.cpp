// eval.cpp — scores the bot against lang<TAB>expected<TAB>question files.
//
// Each question is its own conversation (no fallback streak, no language carried over), so
// a case's result does not depend on its neighbours. A `suggest` never counts as correct:
// the shopper still has to click, and the bot did not commit to the right answer.
#include "eval.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <ostream>
#include <stdexcept>

namespace chat::bot::cli {

std::vector<EvalCase> read_eval_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error(path + ": cannot read the file");
    std::vector<EvalCase> cases;
    std::string line;
    int ln = 0;
    while (std::getline(in, line)) {
        ++ln;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || line[0] == '#') continue;
        const std::size_t t1 = line.find('\t');
        const std::size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
        if (t2 == std::string::npos) throw std::runtime_error(path + ":" + std::to_string(ln) + ": expected lang<TAB>expected<TAB>question");
        const auto lang = parse_lang(line.substr(0, t1));
        if (!lang) throw std::runtime_error(path + ":" + std::to_string(ln) + ": language must be fr or en");
        cases.push_back(EvalCase{*lang, line.substr(t1 + 1, t2 - t1 - 1), line.substr(t2 + 1), ln});
    }
    return cases;
}

bool is_correct(const EvalCase& c, const Decision& d) {
    if (c.expected == "none") return d.intent.empty() && (d.outcome == Outcome::fallback || d.outcome == Outcome::handoff);
    if (d.intent != c.expected) return false;
    if (c.expected == "human_agent") return d.outcome == Outcome::handoff;
    if (c.expected == "greeting" || c.expected == "thanks" || c.expected == "goodbye") return d.outcome == Outcome::smalltalk;
    return d.outcome == Outcome::answer || d.outcome == Outcome::handoff;
}

namespace {

struct Tally {
    std::size_t n = 0, ok = 0;
    void add(bool good) { ++n; ok += good; }
    double rate() const { return n ? static_cast<double>(ok) / static_cast<double>(n) : 0.0; }
};

std::string pct(const Tally& t) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%6.2f%%  (%zu/%zu)", 100.0 * t.rate(), t.ok, t.n);
    return buf;
}

std::string got_label(const Decision& d) {
    std::string s(to_string(d.outcome));
    if (!d.intent.empty()) s += ":" + d.intent;
    return s;
}

}  // namespace

EvalSummary run_eval(const KnowledgeBase& kb, const std::vector<EvalCase>& cases, std::ostream& out, bool verbose) {
    Tally all, in_scope, none, lang_ok;
    std::map<std::string, Tally> by_lang, by_topic;
    std::map<std::string, std::size_t> outcomes;
    std::map<std::pair<std::string, std::string>, std::size_t> confusions;
    std::size_t suggested_right = 0;
    for (const EvalCase& c : cases) {
        ConversationState st;
        const Decision d = decide(kb, c.question, st);
        const bool good = is_correct(c, d);
        all.add(good);
        by_lang[std::string(to_string(c.lang))].add(good);
        by_topic[c.expected].add(good);
        (c.expected == "none" ? none : in_scope).add(good);
        lang_ok.add(d.lang == c.lang);
        ++outcomes[std::string(to_string(d.outcome))];
        if (!good) {
            ++confusions[{c.expected, got_label(d)}];
            if (d.outcome == Outcome::suggest &&
                std::any_of(d.quick_replies.begin(), d.quick_replies.end(), [&](const QuickReply& q) { return q.faq == c.expected; }))
                ++suggested_right;
            if (verbose) {
                char score[16];
                std::snprintf(score, sizeof score, "%.3f", d.score);
                out << "MISS line " << c.line << " [" << to_string(c.lang) << "] expected " << c.expected << ", got "
                    << got_label(d) << " (" << score << ", " << to_string(d.lang) << "): " << c.question << "\n";
            }
        }
    }
    out << "cases                  " << all.n << "\n";
    out << "accuracy               " << pct(all) << "\n";
    out << "in-scope accuracy      " << pct(in_scope) << "\n";
    out << "out-of-scope rejection " << pct(none) << "\n";
    for (const auto& [lang, t] : by_lang) out << "accuracy " << lang << "            " << pct(t) << "\n";
    out << "language detected      " << pct(lang_ok) << "\n";
    out << "wrong but suggested    " << suggested_right << " (a suggest whose quick replies held the expected topic)\n";
    out << "outcomes              ";
    for (const auto& [o, n] : outcomes) out << " " << o << "=" << n;
    out << "\n\nper topic\n";
    for (const auto& [topic, t] : by_topic) {
        char name[32];
        std::snprintf(name, sizeof name, "  %-24s", topic.c_str());
        out << name << pct(t) << "\n";
    }
    std::vector<std::pair<std::size_t, std::pair<std::string, std::string>>> conf;
    for (const auto& [k, n] : confusions) conf.emplace_back(n, k);
    std::sort(conf.begin(), conf.end(), [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
    out << "\nconfusions (expected -> got)\n";
    if (conf.empty()) out << "  none\n";
    for (const auto& [n, k] : conf) out << "  " << n << "  " << k.first << " -> " << k.second << "\n";
    return EvalSummary{all.rate(), none.rate(), all.n, none.n};
}

}  // namespace chat::bot::cli
