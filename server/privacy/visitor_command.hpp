// visitor_command.hpp — `chatd visitor export ID` and `chatd visitor erase ID`.
//
// They work on the data directory whether or not a chatd is running on it: the segments are
// read (and, for erase, blanked in place) directly; a running chatd learns of an erasure
// through <data>/privacy/erased-visitors within 100 ms. Each command leaves an `audit` event
// in the log (appended directly, or queued for the running chatd that holds the log).
// Exit codes as in docs/cli.md: 0, 2 usage (one line naming the flag), 1 runtime failure.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace chat::privacy {

int run_visitor_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace chat::privacy
