// fuzz_blank.cpp — in-place erasure on arbitrary lines: the length never changes, and when
// something was blanked the line was a JSON object and still is one, with the erased member
// now null (or "") and every other member unchanged.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "blank_fields.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using nlohmann::json;
    std::string line(reinterpret_cast<const char*>(data), size);
    const std::string before = line;
    const std::size_t n = chat::privacy::blank_string_fields(line, {"text", "comment"});
    if (line.size() != before.size()) std::abort();
    if (n == 0) {
        if (line != before) std::abort();
        return 0;
    }
    const json a = json::parse(before, nullptr, false), b = json::parse(line, nullptr, false);
    if (a.is_discarded()) return 0;  // our scanner is laxer than nlohmann on some escapes
    if (!b.is_object() || !a.is_object()) std::abort();
    for (auto& [k, v] : a.items()) {
        if (!b.contains(k)) std::abort();
        const json& after = b.at(k);
        if (k == "text" || k == "comment") {
            if (v.is_string() && !(after.is_null() || after == "")) std::abort();
        } else if (after != v) {
            std::abort();
        }
    }
    return 0;
}
