// cli_args.hpp — the command-line grammar shared by `chatd` and its subcommands (`chatd user`,
// `chatd visitor`): long flags as `--key value` or `--key=value`, switches that take no value,
// bare words as positionals. What a flag means, and which flags a command accepts, stays with
// each command; only the splitting and its error messages live here, so every command refuses
// a bad line in the same words (docs/cli.md: exit code 2 for a usage error).
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace chat::cli {

// Thrown for anything the operator typed wrong; the command prints it on one line, exits 2.
struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Flag {
    std::string key;    // without "--"
    std::string value;  // "" for a switch
    std::string given;  // as typed, for error messages ("--data=x")
};

struct Args {
    std::vector<Flag> flags;  // in the order given
    std::vector<std::string> positionals;
};

// Splits args[first..]. `is_switch(key)` says which flags take no value; a switch given a value
// (`--json=1`) and a flag missing its value are UsageErrors. Unknown keys are the caller's to refuse.
Args split_args(const std::vector<std::string>& args, std::size_t first = 0,
                const std::function<bool(const std::string&)>& is_switch = {});

// Refuses what is not a redis:// URL; `where` names the flag or config key.
void check_redis_url(const std::string& url, const std::string& where);

}  // namespace chat::cli
