// json_out.cpp — serialises a Decision for the command line (one object per line).
#include "json_out.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace chat::bot::cli {

std::string decision_json(const Decision& d) {
    nlohmann::ordered_json j;
    j["intent"] = d.intent.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d.intent);
    j["outcome"] = to_string(d.outcome);
    j["score"] = std::round(d.score * 1000.0) / 1000.0;
    j["lang"] = to_string(d.lang);
    auto& s = j["suggestions"] = nlohmann::ordered_json::array();
    for (const auto& q : d.quick_replies) s.push_back({{"label", q.label}, {"faq", q.faq}});
    j["answer"] = d.answer;
    j["handoff_reason"] = d.handoff_reason == HandoffReason::none ? nlohmann::ordered_json(nullptr)
                                                                  : nlohmann::ordered_json(to_string(d.handoff_reason));
    j["priority"] = d.priority;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace chat::bot::cli
