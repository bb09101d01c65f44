// kb.hpp — the in-memory knowledge base (internal): what the loader builds and `decide` reads.
//
// One LangKB per language holds that language's entries, vocabulary, term index, typo index,
// synonyms and rules. Everything is computed at load (term ids, postings with their BM25
// weights, idf) so that answering a message is lookups and additions. Immutable once built.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "bot.hpp"
#include "lexicon.hpp"
#include "strmap.hpp"
#include "typo_index.hpp"

namespace chat::bot::detail {

using TermId = std::uint32_t;
inline constexpr TermId kNoTerm = UINT32_MAX;

// How an entry is used by `decide`.
enum class Kind : std::uint8_t { faq, social, human };  // social: greeting/thanks/goodbye
// Whether an FAQ answer also brings a person in.
enum class Human : std::uint8_t { no, offer, handoff };

struct Line { std::string text; int line = 0; };

struct Entry {
    std::uint32_t topic = 0;  // index into KnowledgeBase::topics
    Kind kind = Kind::faq;
    Human human = Human::no;
    std::string label;        // short title, used as a quick reply
    std::string answer;       // settings substituted
    std::vector<QuickReply> replies;
    int line = 0;             // of its `topic:` line
    std::vector<Line> questions, keywords;
    float length = 0;         // weighted term count (BM25 document length)
};

// An explicit rule: every group must be present in the message; a group is a set of
// alternative terms.
struct Pattern {
    std::uint32_t entry = 0;
    std::vector<std::vector<TermId>> groups;
    Line source;
};

// A multi-word synonym ("mot de passe" -> password): a run of terms replaced by one.
struct Phrase {
    std::vector<TermId> words;
    TermId canonical = kNoTerm;
};

struct Synonym {
    std::string canonical;
    TermId term = kNoTerm;
    int line = 0;
};

struct Posting {
    std::uint32_t entry;
    float weight;  // BM25 contribution of the term to the entry
};

struct LangKB {
    Lang lang = Lang::fr;
    bool present = false;
    std::string file;
    Lexicon lex;

    StrMap terms;                     // stem (or synonym variant's stem) -> term id
    std::vector<std::string> term_text;
    std::vector<float> idf;           // per term
    std::vector<std::uint8_t> social; // per term: only greeting/thanks/goodbye use it
    std::vector<std::uint32_t> post_begin;  // per term, into postings (size terms+1)
    std::vector<Posting> postings;
    std::vector<std::uint32_t> phrase_begin;  // per term: phrases starting with it
    std::vector<std::uint32_t> phrase_ids;
    std::vector<Phrase> phrases;

    std::vector<Entry> entries;
    std::vector<std::int32_t> entry_of_topic;  // per topic: entry index or -1
    std::vector<Pattern> patterns;
    std::vector<std::uint32_t> pattern_begin;  // per term: patterns whose first group holds it (size terms+1)
    std::vector<std::uint32_t> pattern_ids;
    std::vector<Synonym> synonyms;

    // Known surface words (for spelling correction) and the term each one means.
    StrMap surface;
    std::vector<TermId> surface_term;
    // Per surface word: kStopWord and kFeelingWord, so that a known word of a message is
    // looked up once (its term, and whether it is a stop or a sentiment word) instead of five
    // times and stemmed.
    std::vector<std::uint8_t> surface_kind;
    static constexpr std::uint8_t kStopWord = 1, kFeelingWord = 2;
    TypoIndex typo;

    std::string text_fallback, text_handoff, text_suggest, text_empty;
    std::string label_human;  // the quick reply that asks for a person
};

struct Topic {
    std::string id;
    Kind kind = Kind::faq;
};

}  // namespace chat::bot::detail

namespace chat::bot {

class KnowledgeBase {
public:
    std::string dir;
    std::vector<detail::Topic> topics;
    std::array<detail::LangKB, 2> langs;
    Lang default_lang = Lang::fr;
    int handoff_after_fallbacks = 2;
    std::string settings_file;
    std::vector<std::pair<std::string, int>> settings_unused;  // for lint: key, line
    // Per word, which language it is evidence for (detail::LangEvidence bits): both languages'
    // markers, SMS forms and surface words in one table, so that detect_lang looks each word
    // of a message up once instead of in six tables (build_lang_evidence, lang.cpp).
    detail::StrMap lang_evidence;

    const detail::LangKB& lang(Lang l) const { return langs[static_cast<int>(l)]; }
};

}  // namespace chat::bot
