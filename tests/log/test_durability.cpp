// Durability: a child process appends as fast as it can and prints each seq once its append
// completed; it is killed with SIGKILL mid-flight. Every seq it reported is in the log after
// reopening, and the log reads back cleanly. (SIGKILL keeps the page cache, so this checks
// that nothing is reported before it is written and that recovery copes with whatever the
// kill left; power loss is what the fdatasync before completion is for.)
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <poll.h>
#include <set>
#include <sys/wait.h>
#include <unistd.h>

using namespace logtest;

namespace {

// Runs the child until it reported at least `min_reported` seqs, then kills it.
std::vector<std::uint64_t> run_and_kill(const std::filesystem::path& dir, std::size_t min_reported) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    ::execl(APPEND_CHILD_BIN, APPEND_CHILD_BIN, dir.c_str(), "n1", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  std::vector<std::uint64_t> seqs;
  char buf[65536];
  auto count_lines = [&] { return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')); };
  while (count_lines() < min_reported) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  // Whatever was printed before the kill was reported as done.
  for (;;) {
    ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  CHECK(WIFSIGNALED(status));
  std::size_t pos = 0;
  while (true) {
    auto nl = text.find('\n', pos);
    if (nl == std::string::npos) break;  // a partial number: not a full report
    seqs.push_back(std::stoull(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  return seqs;
}

}  // namespace

TEST_CASE("durability: every append reported done survives SIGKILL", "[log][durability]") {
  TempDir dir;
  for (int round = 0; round < 3; ++round) {
    auto reported = run_and_kill(dir.path, 2000 * static_cast<std::size_t>(round + 1));
    REQUIRE(reported.size() >= 100);
    // Reopen as the server does at start: recovery cuts a torn tail if the kill left one.
    chat::eventlog::Writer w(chat::eventlog::Options{dir.path, "n1"});
    w.close();
    auto back = read_back(dir.path);
    CHECK(back.stats.torn == 0);
    CHECK(back.stats.invalid == 0);
    std::set<std::uint64_t> stored(back.seqs.begin(), back.seqs.end());
    std::size_t missing = 0;
    for (auto s : reported)
      if (!stored.count(s)) ++missing;
    CHECK(missing == 0);
    // Seqs are strictly increasing in the log, across the restarts.
    CHECK(std::is_sorted(back.seqs.begin(), back.seqs.end()));
    CHECK(std::adjacent_find(back.seqs.begin(), back.seqs.end()) == back.seqs.end());
  }
}
