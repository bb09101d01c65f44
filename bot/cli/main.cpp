// main.cpp — `chat-bot`, the FAQ engine on the command line.
//
//   chat-bot --faq DIR                         questions on stdin, one JSON decision a line
//   chat-bot --faq DIR --eval FILE [--min X]   accuracy report on a labelled file
//   chat-bot --faq DIR --lint                  knowledge-base checks
//
// Exit codes follow docs of the command lines: 0 ok, 2 usage error (one line naming the
// flag), 1 runtime failure (a bad knowledge base, an unreadable file, an eval below --min).
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "bot.hpp"
#include "eval.hpp"
#include "json_out.hpp"

namespace {

constexpr const char* kHelp = R"(chat-bot — answer shoppers' questions from the FAQ knowledge base

Usage:
  chat-bot --faq DIR                          read questions on stdin (one a line), print one
                                              JSON decision a line
  chat-bot --faq DIR --eval FILE [--min X] [--min-rejection Y] [--verbose]
                                              accuracy on FILE (lang<TAB>expected<TAB>question,
                                              expected "none" = out of scope); exit 1 when the
                                              accuracy is below X or the out-of-scope rejection
                                              below Y
  chat-bot --faq DIR --lint                   check the knowledge base; exit 1 on errors

Options:
  --faq DIR          knowledge base directory (settings.conf, fr.faq, en.faq)
  --conversation     stdin mode: lines form one conversation (language and fallback streak
                     carry over) instead of one conversation per line
  --lang fr|en       stdin mode: the conversation's starting language
  --explain          stdin mode: print how each line was read and scored instead of JSON
  --help             this text

Each output line: {"intent","outcome","score","lang","suggestions","answer","handoff_reason","priority"}
)";

int usage(const std::string& msg) {
    std::cerr << "chat-bot: " << msg << " (see --help)\n";
    return 2;
}

bool parse_fraction(const std::string& s, double& out) {
    char* end = nullptr;
    out = std::strtod(s.c_str(), &end);
    return end && *end == '\0' && !s.empty() && out >= 0.0 && out <= 1.0;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace chat::bot;
    std::optional<std::string> faq, eval_file;
    double min_acc = 0, min_rej = 0;
    bool lint_mode = false, conversation = false, verbose = false, explain_mode = false;
    std::optional<Lang> start_lang;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](std::string& out) {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        std::string v;
        if (a == "--help" || a == "-h") { std::cout << kHelp; return 0; }
        else if (a == "--faq") { if (!value(v)) return usage("--faq needs a directory"); faq = v; }
        else if (a == "--eval") { if (!value(v)) return usage("--eval needs a file"); eval_file = v; }
        else if (a == "--min") {
            if (!value(v) || !parse_fraction(v, min_acc)) return usage("--min needs a number between 0 and 1");
        } else if (a == "--min-rejection") {
            if (!value(v) || !parse_fraction(v, min_rej)) return usage("--min-rejection needs a number between 0 and 1");
        } else if (a == "--lint") lint_mode = true;
        else if (a == "--conversation") conversation = true;
        else if (a == "--verbose") verbose = true;
        else if (a == "--explain") explain_mode = true;
        else if (a == "--lang") {
            if (!value(v) || !(start_lang = parse_lang(v))) return usage("--lang needs fr or en");
        } else return usage("unknown option '" + a + "'");
    }
    if (!faq) return usage("--faq DIR is required");
    if (lint_mode && eval_file) return usage("--lint and --eval cannot be combined");

    const LoadResult loaded = load_knowledge_base(*faq);
    if (const auto* err = std::get_if<LoadError>(&loaded)) {
        std::cerr << "chat-bot: " << to_string(*err) << "\n";
        return 1;
    }
    const KnowledgeBase& kb = *std::get<std::shared_ptr<const KnowledgeBase>>(loaded);

    if (lint_mode) {
        int errors = 0, warnings = 0;
        for (const LintIssue& i : lint(kb)) {
            (i.error ? errors : warnings)++;
            std::cout << (i.error ? "error: " : "warning: ") << i.file << ":" << i.line << ": " << i.message << "\n";
        }
        std::cout << errors << " error(s), " << warnings << " warning(s)\n";
        return errors ? 1 : 0;
    }

    if (eval_file) {
        try {
            const auto cases = cli::read_eval_file(*eval_file);
            if (cases.empty()) { std::cerr << "chat-bot: " << *eval_file << ": no questions\n"; return 1; }
            const auto s = cli::run_eval(kb, cases, std::cout, verbose);
            int rc = 0;
            if (s.accuracy < min_acc) {
                std::cerr << "chat-bot: accuracy " << s.accuracy << " is below --min " << min_acc << "\n";
                rc = 1;
            }
            if (s.none_cases && s.rejection < min_rej) {
                std::cerr << "chat-bot: out-of-scope rejection " << s.rejection << " is below --min-rejection " << min_rej << "\n";
                rc = 1;
            }
            return rc;
        } catch (const std::exception& e) {
            std::cerr << "chat-bot: " << e.what() << "\n";
            return 1;
        }
    }

    std::ios::sync_with_stdio(false);
    ConversationState state;
    state.lang = start_lang;
    std::string line;
    while (std::getline(std::cin, line)) {
        if (!conversation) { state = ConversationState{}; state.lang = start_lang; }
        if (explain_mode) { std::cout << explain(kb, line, state); continue; }
        const Decision d = decide(kb, line, state);
        if (conversation) state = d.next;
        std::cout << cli::decision_json(d) << '\n';
    }
    std::cout.flush();
    return std::cout ? 0 : 1;
}
