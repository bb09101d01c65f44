// lint.cpp — checks a loaded knowledge base for what loading cannot refuse on its own.
//
// Loading rejects what is broken; lint finds what is merely wrong: a required topic missing,
// a topic present in one language only, two topics whose rules fire on the same message, the
// same example question under two topics, keywords or synonyms that do nothing, settings
// nobody uses. Errors make `chat-bot --lint` fail; warnings are advice.
#include <algorithm>
#include <map>
#include <set>

#include "analyse.hpp"
#include "bot.hpp"
#include "kb.hpp"

namespace chat::bot {
namespace {

using namespace detail;

constexpr std::string_view kRequired[] = {
    "delivery_time", "delivery_cost", "delivery_international", "express_delivery", "pickup_point",
    "order_tracking", "lost_package", "damaged_item", "wrong_item", "return_policy", "return_label",
    "refund_status", "exchange", "cancel_order", "modify_order", "payment_methods", "payment_failed",
    "invoice", "promo_code", "gift_card", "account_password", "account_delete", "data_privacy",
    "newsletter", "stock_availability", "size_guide", "warranty", "loyalty_program", "contact_hours",
    "complaint", "human_agent", "greeting", "thanks", "goodbye"};

// Pattern a fires whenever b fires: each group of a contains some whole group of b.
bool covers(const Pattern& a, const Pattern& b) {
    for (const auto& ga : a.groups) {
        bool ok = false;
        for (const auto& gb : b.groups) {
            ok = std::all_of(gb.begin(), gb.end(), [&](TermId t) { return std::find(ga.begin(), ga.end(), t) != ga.end(); });
            if (ok) break;
        }
        if (!ok) return false;
    }
    return true;
}

std::vector<TermId> terms_of(const LangKB& lk, std::string_view text) {
    Normalised n;
    Analysis an;
    normalise(text, n);
    analyse(lk, n, an);
    std::vector<TermId> ids;
    for (const Word& w : an.words) if (!w.stop && w.term != kNoTerm) ids.push_back(w.term);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

}  // namespace

std::vector<LintIssue> lint(const KnowledgeBase& kb) {
    std::vector<LintIssue> out;
    auto issue = [&](bool error, const std::string& file, int line, std::string msg) {
        out.push_back(LintIssue{error, file, line, std::move(msg)});
    };
    for (std::string_view id : kRequired) {
        for (const LangKB& lk : kb.langs) {
            auto it = std::find_if(kb.topics.begin(), kb.topics.end(), [&](const Topic& t) { return t.id == id; });
            if (it == kb.topics.end() || lk.entry_of_topic[it - kb.topics.begin()] < 0)
                issue(true, lk.file, 0, "required topic '" + std::string(id) + "' is missing");
        }
    }
    for (std::size_t t = 0; t < kb.topics.size(); ++t) {
        const LangKB& fr = kb.lang(Lang::fr);
        const LangKB& en = kb.lang(Lang::en);
        const int a = fr.entry_of_topic[t], b = en.entry_of_topic[t];
        if ((a < 0) != (b < 0)) {
            const LangKB& has = a >= 0 ? fr : en;
            const LangKB& lacks = a >= 0 ? en : fr;
            issue(true, has.file, has.entries[a >= 0 ? a : b].line,
                  "topic '" + kb.topics[t].id + "' has no translation in " + lacks.file);
        }
    }
    for (const LangKB& lk : kb.langs) {
        auto topic = [&](std::uint32_t entry) { return kb.topics[lk.entries[entry].topic].id; };
        for (std::size_t i = 0; i < lk.patterns.size(); ++i) {
            for (std::size_t j = 0; j < lk.patterns.size(); ++j) {
                const Pattern& a = lk.patterns[i];
                const Pattern& b = lk.patterns[j];
                if (i == j || a.entry == b.entry || !covers(a, b)) continue;
                issue(true, lk.file, a.source.line,
                      "pattern '" + a.source.text + "' of '" + topic(a.entry) + "' also fires on every message matching '" +
                          b.source.text + "' of '" + topic(b.entry) + "' (line " + std::to_string(b.source.line) + ")");
            }
        }
        std::map<std::vector<TermId>, std::pair<std::uint32_t, int>> questions;
        std::map<TermId, std::pair<std::uint32_t, int>> keywords;
        for (std::uint32_t e = 0; e < lk.entries.size(); ++e) {
            for (const Line& q : lk.entries[e].questions) {
                auto ids = terms_of(lk, q.text);
                auto [it, fresh] = questions.emplace(ids, std::make_pair(e, q.line));
                if (fresh || it->second.first == e) continue;  // rephrasings within a topic only add weight
                issue(true, lk.file, q.line,
                      "example '" + q.text + "' means the same as line " + std::to_string(it->second.second) +
                          " of topic '" + topic(it->second.first) + "'");
            }
            for (const Line& k : lk.entries[e].keywords) {
                const auto ids = terms_of(lk, k.text);
                if (ids.size() != 1) continue;
                auto [it, fresh] = keywords.emplace(ids[0], std::make_pair(e, k.line));
                if (!fresh && it->second.first != e)
                    issue(false, lk.file, k.line,
                          "keyword '" + k.text + "' is also a keyword of '" + topic(it->second.first) + "' (line " +
                              std::to_string(it->second.second) + ")");
            }
        }
        for (const Synonym& s : lk.synonyms) {
            const bool in_index = lk.post_begin[s.term + 1] > lk.post_begin[s.term];
            const bool in_rule = std::any_of(lk.patterns.begin(), lk.patterns.end(), [&](const Pattern& p) {
                return std::any_of(p.groups.begin(), p.groups.end(), [&](const auto& g) {
                    return std::find(g.begin(), g.end(), s.term) != g.end();
                });
            });
            if (!in_index && !in_rule)
                issue(false, lk.file, s.line, "synonyms of '" + s.canonical + "' are unused: no example, keyword or pattern uses the word");
        }
    }
    for (const auto& [key, line] : kb.settings_unused) issue(false, kb.settings_file, line, "setting '" + key + "' is used by no answer");
    return out;
}

}  // namespace chat::bot
