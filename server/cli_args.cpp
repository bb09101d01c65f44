// cli_args.cpp — splitting a command line into flags and positionals (see cli_args.hpp).
#include "cli_args.hpp"

namespace chat::cli {

Args split_args(const std::vector<std::string>& args, std::size_t first,
                const std::function<bool(const std::string&)>& is_switch) {
    Args out;
    for (std::size_t i = first; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0) {
            out.positionals.push_back(a);
            continue;
        }
        Flag f{a.substr(2), "", a};
        const auto eq = f.key.find('=');
        const bool inline_value = eq != std::string::npos;
        if (inline_value) {
            f.value = f.key.substr(eq + 1);
            f.key.resize(eq);
        }
        if (is_switch && is_switch(f.key)) {
            if (inline_value) throw UsageError("--" + f.key + ": takes no value");
        } else if (!inline_value) {
            if (i + 1 >= args.size()) throw UsageError(a + ": missing value");
            f.value = args[++i];
        }
        out.flags.push_back(std::move(f));
    }
    return out;
}

void check_redis_url(const std::string& url, const std::string& where) {
    if (url.rfind("redis://", 0) != 0)
        throw UsageError(where + ": expected redis://[:PASSWORD@]HOST:PORT[/DB], got '" + url + "'");
}

}  // namespace chat::cli
