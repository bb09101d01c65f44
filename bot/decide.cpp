// decide.cpp — from one visitor message to the bot's decision.
//
// The policy, in order: a visitor who asks for a person gets one; a confident FAQ match is
// answered (or, when two topics are close, offered as 2–3 quick replies); an FAQ entry that
// needs a person (complaint) answers and hands off; anger or frustration hands off and
// marks the conversation priority; greeting/thanks/goodbye get small talk; anything else is
// an honest fallback that offers a person, and the second fallback in a row hands off.
//
// Confidence of an entry = saturation of its BM25 score × coverage of the message (the share
// of the message's idf mass, unknown words included, that the entry contains). Coverage is
// what rejects out-of-scope questions: "quel temps fera-t-il demain" shares no weight with
// the shop's topics even when one word happens to match. An explicit pattern lifts an entry.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "analyse.hpp"
#include "bot.hpp"
#include "index.hpp"
#include "kb.hpp"
#include "lang.hpp"
#include "normalise.hpp"
#include "sentiment.hpp"

namespace chat::bot {
namespace {

using namespace detail;

constexpr float kAnswerAt = 0.55f;      // best FAQ entry at or above: answer it
constexpr float kSuggestFloor = 0.40f;  // a runner-up below this is never suggested
constexpr float kCloseRatio = 0.96f;    // runner-up within this share of the best: suggest
constexpr float kSmalltalkAt = 0.55f;
constexpr float kHumanAt = 0.45f;
constexpr float kSaturation = 2.5f;     // BM25 score giving half confidence
constexpr float kRuleFloor = 0.55f;     // confidence of an entry whose pattern matched
constexpr float kAmbiguousLang = 1.0f;  // below this evidence margin, try both languages

struct Ranked {
    int entry = -1;
    float conf = 0;
    bool rule = false;
};

struct LangResult {
    Lang lang = Lang::fr;
    Ranked faq[3];
    Ranked social, human;
    float top() const { return std::max({faq[0].conf, social.conf, human.conf}); }
};

struct Scratch {
    Normalised tokens;
    Analysis analysis[2];
    Scores scores[2];
};

Scratch& scratch() {
    thread_local Scratch s;  // per thread: decide() stays reentrant and allocation-free when warm
    return s;
}

float confidence(const Scores& sc, const Entry& e, std::size_t i) {
    const float mass = e.kind == Kind::social ? sc.mass_all : sc.mass_faq;
    float conf = 0;
    if (sc.bm25[i] > 0 && mass > 0) {
        const float cov = std::min(1.0f, sc.matched[i] / mass);
        conf = sc.bm25[i] / (sc.bm25[i] + kSaturation) * std::pow(cov, 0.75f);
    }
    if (sc.rule[i]) conf = std::max(conf, kRuleFloor + (1 - kRuleFloor) * conf);
    return conf;
}

LangResult rank(const KnowledgeBase& kb, Lang lang, Scratch& s) {
    const LangKB& lk = kb.lang(lang);
    Analysis& an = s.analysis[static_cast<int>(lang)];
    Scores& sc = s.scores[static_cast<int>(lang)];
    analyse(lk, s.tokens, an);
    score(lk, an, sc);
    LangResult r;
    r.lang = lang;
    for (std::size_t i = 0; i < lk.entries.size(); ++i) {
        if (sc.bm25[i] <= 0 && !sc.rule[i]) continue;
        const Entry& e = lk.entries[i];
        const Ranked cand{static_cast<int>(i), confidence(sc, e, i), sc.rule[i] != 0};
        if (e.kind == Kind::social) { if (cand.conf > r.social.conf) r.social = cand; continue; }
        if (e.kind == Kind::human) { if (cand.conf > r.human.conf) r.human = cand; continue; }
        for (int k = 0; k < 3; ++k) {
            if (cand.conf > r.faq[k].conf) {
                for (int j = 2; j > k; --j) r.faq[j] = r.faq[j - 1];
                r.faq[k] = cand;
                break;
            }
        }
    }
    return r;
}

const Topic& topic_of(const KnowledgeBase& kb, const Entry& e) { return kb.topics[e.topic]; }

void add_human_reply(const LangKB& lk, Decision& d) {
    d.quick_replies.push_back(QuickReply{lk.label_human, "human_agent"});
}

void fill_entry(const KnowledgeBase& kb, const LangKB& lk, const Entry& e, Decision& d) {
    d.intent = topic_of(kb, e).id;
    d.answer = e.answer;
    d.quick_replies = e.replies;
    if (e.human == Human::offer) add_human_reply(lk, d);
}

void handoff(Decision& d, HandoffReason why) {
    d.outcome = Outcome::handoff;
    d.handoff_reason = why;
}

void finish(Decision& d, const ConversationState& state) {
    d.next.lang = d.lang;
    d.next.fallback_streak = d.outcome == Outcome::fallback ? state.fallback_streak + 1 : 0;
    d.next.priority = state.priority || d.priority;
    d.priority = d.next.priority;
    d.score = std::clamp(d.score, 0.0, 1.0);
}

// Nothing matched: say so and offer a person; the second time in a row, hand off.
void fall_back(const KnowledgeBase& kb, const LangKB& lk, const ConversationState& state, bool empty, Decision& d) {
    d.intent.clear();
    if (state.fallback_streak + 1 >= kb.handoff_after_fallbacks) {
        handoff(d, HandoffReason::bot_fallback);
        d.answer = lk.text_handoff;
        return;
    }
    d.outcome = Outcome::fallback;
    d.answer = empty ? lk.text_empty : lk.text_fallback;
    add_human_reply(lk, d);
}

}  // namespace

Decision decide(const KnowledgeBase& kb, std::string_view text, const ConversationState& state) {
    Scratch& s = scratch();
    normalise(text, s.tokens);
    Decision d;
    const LangGuess guess = detect_lang(kb, s.tokens, state.lang);
    d.lang = guess.lang;
    if (s.tokens.size() == 0) {
        fall_back(kb, kb.lang(d.lang), state, true, d);
        finish(d, state);
        return d;
    }
    LangResult r = rank(kb, guess.lang, s);
    if (guess.margin < kAmbiguousLang) {
        const Lang other = guess.lang == Lang::fr ? Lang::en : Lang::fr;
        LangResult alt = rank(kb, other, s);
        if (alt.top() > r.top() + 0.05f) r = alt;
    }
    d.lang = r.lang;
    const LangKB& lk = kb.lang(r.lang);
    const float mood = sentiment(lk.lex, s.analysis[static_cast<int>(r.lang)], s.tokens);
    const bool angry = mood <= kAngryBelow;
    if (angry) d.priority = true;

    const Ranked& best = r.faq[0];
    const Ranked& second = r.faq[1];
    d.score = std::max(best.conf, r.social.conf);

    if (r.human.entry >= 0 && r.human.conf >= kHumanAt && r.human.conf >= best.conf * 0.8f) {
        fill_entry(kb, lk, lk.entries[r.human.entry], d);
        d.score = r.human.conf;
        handoff(d, HandoffReason::visitor_asked);
    } else if (best.entry >= 0 && best.conf >= kAnswerAt && !(r.social.conf > best.conf && !angry)) {
        const Entry& e = lk.entries[best.entry];
        d.score = best.conf;
        const bool close = second.entry >= 0 && second.conf >= kSuggestFloor && second.conf >= best.conf * kCloseRatio &&
                           (second.rule || !best.rule);
        if (e.human == Human::handoff) {
            fill_entry(kb, lk, e, d);
            handoff(d, HandoffReason::complaint);
        } else if (angry) {
            fill_entry(kb, lk, e, d);
            d.answer += ' ';
            d.answer += lk.text_handoff;
            d.quick_replies.clear();
            handoff(d, HandoffReason::negative_sentiment);
        } else if (close) {
            d.intent = topic_of(kb, e).id;
            d.outcome = Outcome::suggest;
            d.answer = lk.text_suggest;
            for (const Ranked& c : r.faq) {
                if (c.entry < 0 || c.conf < kSuggestFloor || c.conf < best.conf * kCloseRatio * 0.9f) continue;
                const Entry& ce = lk.entries[c.entry];
                d.quick_replies.push_back(QuickReply{ce.label, topic_of(kb, ce).id});
            }
        } else {
            fill_entry(kb, lk, e, d);
            d.outcome = Outcome::answer;
        }
    } else if (r.social.entry >= 0 && r.social.conf >= kSmalltalkAt && !angry) {
        const Entry& e = lk.entries[r.social.entry];
        fill_entry(kb, lk, e, d);
        d.score = r.social.conf;
        d.outcome = Outcome::smalltalk;
    } else if (angry) {
        d.answer = lk.text_handoff;
        handoff(d, HandoffReason::negative_sentiment);
    } else {
        fall_back(kb, lk, state, false, d);
    }
    finish(d, state);
    return d;
}

Decision choose(const KnowledgeBase& kb, std::string_view topic, const ConversationState& state) {
    Decision d;
    d.lang = state.lang.value_or(kb.default_lang);
    const LangKB& lk = kb.lang(d.lang);
    for (std::size_t t = 0; t < kb.topics.size(); ++t) {
        if (kb.topics[t].id != topic || lk.entry_of_topic[t] < 0) continue;
        const Entry& e = lk.entries[lk.entry_of_topic[t]];
        fill_entry(kb, lk, e, d);
        d.score = 1.0;
        if (e.kind == Kind::human) handoff(d, HandoffReason::visitor_asked);
        else if (e.kind == Kind::social) d.outcome = Outcome::smalltalk;
        else if (e.human == Human::handoff) handoff(d, HandoffReason::complaint);
        else d.outcome = Outcome::answer;
        finish(d, state);
        return d;
    }
    fall_back(kb, lk, state, false, d);
    finish(d, state);
    return d;
}

std::string explain(const KnowledgeBase& kb, std::string_view text, const ConversationState& state) {
    Scratch& s = scratch();
    normalise(text, s.tokens);
    const LangGuess guess = detect_lang(kb, s.tokens, state.lang);
    std::string out = "lang ";
    out += to_string(guess.lang);
    out += " (margin " + std::to_string(guess.margin) + ")\n";
    for (Lang l : {Lang::fr, Lang::en}) {
        const LangKB& lk = kb.lang(l);
        const LangResult r = rank(kb, l, s);
        const Analysis& an = s.analysis[static_cast<int>(l)];
        const Scores& sc = s.scores[static_cast<int>(l)];
        out += '[';
        out += to_string(l);
        out += "] words:";
        for (const Word& w : an.words) {
            out += ' ';
            out += an.text(w);
            if (w.term != kNoTerm) { out += '='; out += lk.term_text[w.term]; }
            if (w.stop) out += "/stop";
            else if (w.term == kNoTerm) out += "/?";
        }
        char buf[160];
        std::snprintf(buf, sizeof buf, "\n  unknown %d, mass %.2f (faq %.2f), mood %.2f\n", an.unknown, sc.mass_all, sc.mass_faq,
                      sentiment(lk.lex, an, s.tokens));
        out += buf;
        std::vector<std::pair<float, std::size_t>> best;
        for (std::size_t i = 0; i < lk.entries.size(); ++i)
            if (sc.bm25[i] > 0 || sc.rule[i]) best.emplace_back(confidence(sc, lk.entries[i], i), i);
        std::sort(best.rbegin(), best.rend());
        for (std::size_t k = 0; k < best.size() && k < 5; ++k) {
            const std::size_t i = best[k].second;
            std::snprintf(buf, sizeof buf, "  %-24s conf %.3f  bm25 %.2f  matched %.2f%s\n", kb.topics[lk.entries[i].topic].id.c_str(),
                          best[k].first, sc.bm25[i], sc.matched[i], sc.rule[i] ? "  rule" : "");
            out += buf;
        }
        (void)r;
    }
    return out;
}

}  // namespace chat::bot
