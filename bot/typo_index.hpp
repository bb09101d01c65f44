// typo_index.hpp — finds the known word closest to a misspelt one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bot::detail {

// Symmetric-delete index (the SymSpell idea): every known word is stored under each string
// obtained by deleting up to two of its letters. A misspelt word's own deletions then meet
// its neighbours in a handful of lookups, whatever the vocabulary size; candidates are
// confirmed with the real edit distance (Damerau: a swap of two letters costs one).
class TypoIndex {
public:
    static constexpr std::uint32_t npos = UINT32_MAX;
    static constexpr std::size_t kMinLen = 5;    // shorter words are too easy to confuse
    static constexpr std::size_t kMaxLen = 24;

    // words[i] may repeat or be short; only words of 4..kMaxLen letters are indexed.
    void build(std::vector<std::string> words, std::vector<std::uint32_t> freq);
    // Index of the closest known word, or npos (none, or the word is itself known). Allowed:
    // for 5 letters only a swap of two neighbours ("colsi"); 6..8 letters one edit; 9+ two.
    // Short words are real words more often than typos ("think" is not "thank"). Ties go to
    // the more frequent word.
    std::uint32_t correct(std::string_view word) const;
    const std::string& word(std::uint32_t i) const { return words_[i]; }
    std::size_t size() const { return words_.size(); }

    static int allowed_distance(std::size_t len) { return len >= 9 ? 2 : 1; }
    static int distance(std::string_view a, std::string_view b, int limit);  // > limit when far

private:
    std::vector<std::string> words_;
    std::vector<std::uint32_t> freq_;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> deletes_;  // sorted (hash, word)
};

}  // namespace chat::bot::detail
