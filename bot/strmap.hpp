// strmap.hpp — an open-addressing hash map from strings to 32-bit values.
//
// Built once while a knowledge base loads, then only read. Lookups take a string_view and
// never allocate, which the per-message path needs (a std::unordered_map<std::string> lookup
// would build a key string). Values are small ids or indexes into side tables.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chat::bot::detail {

inline std::uint64_t hash_bytes(std::string_view s) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a, then a final mix
    for (unsigned char c : s) { h ^= c; h *= 1099511628211ull; }
    h ^= h >> 29; h *= 0xbf58476d1ce4e5b9ull; h ^= h >> 32;
    return h;
}

class StrMap {
public:
    static constexpr std::uint32_t npos = UINT32_MAX;

    std::uint32_t find(std::string_view key) const {
        if (slots_.empty()) return npos;
        const std::uint64_t h = hash_bytes(key);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            const Slot& s = slots_[i];
            if (s.key == npos) return npos;
            if (s.hash == h && keys_[s.key] == key) return s.value;
        }
    }
    bool contains(std::string_view key) const { return find(key) != npos; }

    // Inserts or overwrites; returns true when the key was new.
    bool set(std::string_view key, std::uint32_t value) {
        if ((keys_.size() + 1) * 2 > slots_.size()) grow();
        const std::uint64_t h = hash_bytes(key);
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = h & mask;; i = (i + 1) & mask) {
            Slot& s = slots_[i];
            if (s.key == npos) {
                s = Slot{h, static_cast<std::uint32_t>(keys_.size()), value};
                keys_.emplace_back(key);
                return true;
            }
            if (s.hash == h && keys_[s.key] == key) { s.value = value; return false; }
        }
    }
    // Inserts only when absent; returns the value now stored.
    std::uint32_t emplace(std::string_view key, std::uint32_t value) {
        const std::uint32_t v = find(key);
        if (v != npos) return v;
        set(key, value);
        return value;
    }
    std::size_t size() const { return keys_.size(); }
    template <class F> void for_each(F&& f) const {
        for (const Slot& s : slots_) if (s.key != npos) f(std::string_view(keys_[s.key]), s.value);
    }

private:
    struct Slot { std::uint64_t hash = 0; std::uint32_t key = npos; std::uint32_t value = 0; };
    void grow() {
        std::vector<Slot> old = std::move(slots_);
        slots_.assign(old.empty() ? 64 : old.size() * 2, Slot{});
        const std::size_t mask = slots_.size() - 1;
        for (const Slot& s : old) {
            if (s.key == npos) continue;
            std::size_t i = s.hash & mask;
            while (slots_[i].key != npos) i = (i + 1) & mask;
            slots_[i] = s;
        }
    }
    std::vector<Slot> slots_;
    std::vector<std::string> keys_;
};

}  // namespace chat::bot::detail
