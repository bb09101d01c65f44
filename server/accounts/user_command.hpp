// user_command.hpp — `chatd user add|list|remove`: managing accounts from the command line.
//
// Works whether or not the server runs: the change goes to `<data>/accounts.json` under the
// accounts lock, and a running server picks it up on its next AccountStore::refresh().
// Exit codes follow docs/cli.md: 0 success, 2 usage error (one line on `err` naming the flag
// or value at fault), 1 runtime failure (one line saying what and where).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace chat::accounts {

// `args` is what follows `chatd user`, e.g. {"add", "alice", "--role", "agent"}. `add` reads
// the password from the first line of `in`. Returns the process exit code.
int run_user_command(const std::vector<std::string>& args, std::istream& in, std::ostream& out, std::ostream& err);

// The --help text of `chatd user`.
std::string user_usage();

}  // namespace chat::accounts
