// eval.hpp — `chat-bot --eval`: accuracy of the bot on a labelled question file.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "bot.hpp"

namespace chat::bot::cli {

struct EvalCase {
    Lang lang;
    std::string expected;  // topic, intent, or "none" for out of scope
    std::string question;
    int line;
};

// Reads lang<TAB>expected<TAB>question lines ('#' comments and blank lines skipped).
// Throws std::runtime_error "file:line: reason" on a malformed line.
std::vector<EvalCase> read_eval_file(const std::string& path);

// What counts as correct (see docs/faq.md): the decision's intent is the expected one and
// its outcome delivers it (answer or handoff for a topic, smalltalk for greeting/thanks/
// goodbye, handoff for human_agent); for "none", no intent at all (fallback or handoff).
bool is_correct(const EvalCase& c, const Decision& d);

struct EvalSummary {
    double accuracy = 0;     // over every case
    double rejection = 0;    // over the "none" cases
    std::size_t cases = 0, none_cases = 0;
};

// Prints the report (overall, per language, per topic, out-of-scope rejection, confusions).
EvalSummary run_eval(const KnowledgeBase& kb, const std::vector<EvalCase>& cases, std::ostream& out, bool verbose);

}  // namespace chat::bot::cli
