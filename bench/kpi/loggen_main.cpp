// loggen_main.cpp — kpi-loggen: writes a synthetic event log for benchmarks and manual tests.
//
//   kpi-loggen --bytes 1G --out /tmp/chat-kpi-bench/events.jsonl      one file, all nodes
//   kpi-loggen --bytes 200M --dir /tmp/data [--segment-bytes 64M]     segments per node
//   [--nodes 3] [--seed 1] [--rate CONVERSATIONS_PER_HOUR]
#include "loggen.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace {

bool parse_size(const char* s, std::uint64_t& out) {
  char* end = nullptr;
  double v = std::strtod(s, &end);
  if (end == s || v < 0) return false;
  std::string unit(end);
  double mult = 1;
  if (unit == "K" || unit == "k") mult = 1024;
  else if (unit == "M" || unit == "m") mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "g") mult = 1024.0 * 1024 * 1024;
  else if (!unit.empty()) return false;
  out = static_cast<std::uint64_t>(v * mult);
  return true;
}

int usage(const char* msg) {
  if (msg) std::fprintf(stderr, "kpi-loggen: %s\n", msg);
  std::fprintf(msg ? stderr : stdout,
               "usage: kpi-loggen --bytes SIZE (--out FILE | --dir DIR [--segment-bytes SIZE])\n"
               "                  [--nodes N] [--seed S] [--rate CONVERSATIONS_PER_HOUR]\n");
  return msg ? 2 : 0;
}

struct SegmentWriter {
  std::filesystem::path dir;
  std::uint64_t segment_bytes;
  std::FILE* f = nullptr;
  std::uint64_t size = 0;
  std::uint64_t seq = 0;
};

}  // namespace

int main(int argc, char** argv) {
  chat::loggen::Options o;
  std::string out, dir;
  std::uint64_t segment_bytes = 64ull << 20;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--help") return usage(nullptr);
    if (a == "--bytes") {
      if (!(v = val()) || !parse_size(v, o.target_bytes)) return usage("--bytes: bad size");
    } else if (a == "--segment-bytes") {
      if (!(v = val()) || !parse_size(v, segment_bytes) || segment_bytes == 0) return usage("--segment-bytes: bad size");
    } else if (a == "--out") {
      if (!(v = val())) return usage("--out needs a file");
      out = v;
    } else if (a == "--dir") {
      if (!(v = val())) return usage("--dir needs a directory");
      dir = v;
    } else if (a == "--nodes") {
      if (!(v = val()) || (o.nodes = std::atoi(v)) < 1) return usage("--nodes: bad count");
    } else if (a == "--seed") {
      if (!(v = val())) return usage("--seed needs a value");
      o.seed = std::strtoull(v, nullptr, 10);
    } else if (a == "--rate") {
      if (!(v = val()) || (o.conversations_per_hour = std::atof(v)) <= 0) return usage("--rate: bad value");
    } else {
      return usage(("unknown flag " + a).c_str());
    }
  }
  if (out.empty() == dir.empty()) return usage("give exactly one of --out or --dir");

  static char buf[1 << 22];
  std::uint64_t lines = 0;
  if (!out.empty()) {
    std::FILE* f = std::fopen(out.c_str(), "w");
    if (!f) {
      std::perror(("kpi-loggen: " + out).c_str());
      return 1;
    }
    std::setvbuf(f, buf, _IOFBF, sizeof buf);
    lines = chat::loggen::generate(o, [&](int, std::string_view, std::string_view line) {
      std::fwrite(line.data(), 1, line.size(), f);
      std::fputc('\n', f);
    });
    if (std::fclose(f) != 0) {
      std::perror(("kpi-loggen: " + out).c_str());
      return 1;
    }
  } else {
    std::filesystem::create_directories(dir);
    std::vector<SegmentWriter> w(static_cast<std::size_t>(o.nodes));
    bool failed = false;
    lines = chat::loggen::generate(o, [&](int node, std::string_view node_id, std::string_view line) {
      auto& s = w[static_cast<std::size_t>(node)];
      ++s.seq;
      if (!s.f || s.size + line.size() + 1 > segment_bytes) {
        if (s.f) std::fclose(s.f);
        auto p = std::filesystem::path(dir) / ("events-" + std::string(node_id) + "-" + std::to_string(s.seq) + ".jsonl");
        s.f = std::fopen(p.c_str(), "w");
        if (!s.f) {
          failed = true;
          return;
        }
        s.size = 0;
      }
      std::fwrite(line.data(), 1, line.size(), s.f);
      std::fputc('\n', s.f);
      s.size += line.size() + 1;
    });
    for (auto& s : w)
      if (s.f && std::fclose(s.f) != 0) failed = true;
    if (failed) {
      std::fprintf(stderr, "kpi-loggen: cannot write segments in %s\n", dir.c_str());
      return 1;
    }
  }
  std::fprintf(stderr, "kpi-loggen: %llu lines\n", static_cast<unsigned long long>(lines));
  return 0;
}
