// Write errors: when the disk refuses (a file size limit, a full file system), the affected
// appends fail, no partial line stays in the segment, and appends work again once space
// returns. RLIMIT_FSIZE (EFBIG) needs no privilege; a tiny tmpfs (ENOSPC) needs root.
#include "log_test_util.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <sys/mount.h>
#include <sys/resource.h>

using namespace logtest;
using chat::eventlog::Options;
using chat::eventlog::Writer;

namespace {

struct FileSizeLimit {
  rlimit saved{};
  void (*saved_handler)(int);
  explicit FileSizeLimit(rlim_t bytes) {
    getrlimit(RLIMIT_FSIZE, &saved);
    saved_handler = std::signal(SIGXFSZ, SIG_IGN);  // get EFBIG instead of being killed
    rlimit l = saved;
    l.rlim_cur = bytes;
    setrlimit(RLIMIT_FSIZE, &l);
  }
  void lift() { setrlimit(RLIMIT_FSIZE, &saved); }
  ~FileSizeLimit() {
    lift();
    std::signal(SIGXFSZ, saved_handler);
  }
};

// Appends batches until one fails; returns the seqs that succeeded and the error.
std::pair<std::vector<std::uint64_t>, std::error_code> fill(Writer& w, std::uint64_t& seq, std::size_t pad) {
  std::vector<std::uint64_t> ok;
  for (int i = 0; i < 100000; ++i) {
    auto ec = append_wait(w, batch_of("n1", seq, 3, pad));
    if (ec) {
      seq += 3;
      return {ok, ec};
    }
    for (int k = 0; k < 3; ++k) ok.push_back(seq + static_cast<std::uint64_t>(k));
    seq += 3;
  }
  return {ok, {}};
}

void check_clean(const std::filesystem::path& dir, const std::vector<std::uint64_t>& expected) {
  auto back = read_back(dir);
  CHECK(back.stats.torn == 0);
  CHECK(back.stats.invalid == 0);
  CHECK(back.seqs == expected);
  for (const auto& seg : chat::kpi::list_segments({dir})) {
    std::string s = slurp(seg);
    CHECK((s.empty() || s.back() == '\n'));
  }
}

}  // namespace

TEST_CASE("errors: EFBIG fails the append, leaves no partial line, then recovers", "[log][errors]") {
  TempDir dir;
  Writer w(Options{dir.path, "n1"});
  std::uint64_t seq = 1;
  std::vector<std::uint64_t> stored;
  {
    FileSizeLimit limit(20000);
    auto [ok, ec] = fill(w, seq, 500);
    stored = ok;
    CHECK(ec == std::errc::file_too_large);
    CHECK(stored.size() > 10);
    // A failure is not sticky, but the limit still holds: the next one fails the same way.
    CHECK(append_wait(w, batch_of("n1", seq, 3, 500)) == std::errc::file_too_large);
    seq += 3;
    CHECK(std::filesystem::file_size(dir.path / "events-n1-1.jsonl") <= 20000);
    limit.lift();
    // Space is back: appends work again, with the next seqs (failed ones are never reused).
    CHECK_FALSE(append_wait(w, batch_of("n1", seq, 3, 500)));
    for (int k = 0; k < 3; ++k) stored.push_back(seq + static_cast<std::uint64_t>(k));
  }
  CHECK(w.stats().failed_appends == 2);
  CHECK(w.flush() == std::errc::file_too_large);  // reported once, then cleared
  CHECK_FALSE(w.flush());
  w.close();
  check_clean(dir.path, stored);
  Writer again(Options{dir.path, "n1"});
  CHECK(again.recovery().torn_bytes == 0);
  CHECK(again.next_seq() == stored.back() + 1);
}

TEST_CASE("errors: ENOSPC on a full tmpfs, recovery when space returns", "[log][errors]") {
  TempDir dir;
  auto mnt = dir.path / "small";
  std::filesystem::create_directories(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=256k") != 0) {
    WARN("cannot mount a tmpfs here (needs root); ENOSPC is covered by the EFBIG test");
    return;
  }
  struct Unmount {
    std::filesystem::path p;
    ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
  } unmount{mnt};
  auto data = mnt / "data";
  // Ballast that can be deleted to give the space back.
  {
    std::ofstream(mnt / "ballast", std::ios::binary) << std::string(64 * 1024, 'b');
  }
  std::vector<std::uint64_t> stored;
  std::uint64_t seq = 1;
  {
    Writer w(Options{data, "n1"});
    auto [ok, ec] = fill(w, seq, 700);
    stored = ok;
    CHECK(ec == std::errc::no_space_on_device);
    CHECK(stored.size() > 10);
    std::filesystem::remove(mnt / "ballast");
    CHECK_FALSE(append_wait(w, batch_of("n1", seq, 3, 700)));
    for (int k = 0; k < 3; ++k) stored.push_back(seq + static_cast<std::uint64_t>(k));
  }
  check_clean(data, stored);
}
