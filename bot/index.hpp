// index.hpp — the term index of one language: interning, BM25 postings, scoring a message.
#pragma once

#include <string_view>
#include <vector>

#include "analyse.hpp"
#include "kb.hpp"

namespace chat::bot::detail {

inline constexpr float kBm25K1 = 1.2f;
inline constexpr float kBm25B = 0.3f;       // entries differ in length mostly by how many examples they list
inline constexpr float kKeywordWeight = 2.0f;  // a `kw:` word counts as two example occurrences
inline constexpr float kUnknownWeight = 1.6f;  // an unknown content word weighs like a fairly common term

// Term id for a stem, creating it at load time.
TermId intern(LangKB& kb, std::string_view stem);

// Builds postings, idf and per-term flags from each entry's weighted term counts.
void build_index(LangKB& kb, const std::vector<std::vector<std::pair<TermId, float>>>& entry_terms);

// Per-thread scratch for scoring; sized lazily to the knowledge base.
struct Scores {
    std::vector<float> bm25;     // per entry
    std::vector<float> matched;  // per entry: idf mass of the message's terms it contains
    std::vector<std::uint8_t> rule;  // per entry: an explicit pattern matched
    float mass_all = 0;   // idf mass of the message's content (unknown words included)
    float mass_faq = 0;   // the same without greeting/thanks words
    int content = 0;      // distinct content words
    std::vector<std::uint32_t> stamp;  // per term: epoch when last seen in a message
    std::uint32_t epoch = 0;
    std::vector<TermId> seen;          // the message's distinct terms (stop words included)
};

// Scores every entry of the language against an analysed message.
void score(const LangKB& kb, const Analysis& msg, Scores& out);

}  // namespace chat::bot::detail
