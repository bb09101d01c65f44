// options.hpp — chat-bench's command line (the contract is docs/cli.md) and the run's shared
// counters. Pure: no sockets, so the parser is easy to reason about.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "histogram.hpp"

namespace chat::bench {

struct Options {
    std::string host = "127.0.0.1";
    unsigned short port = 0;
    int visitors = 100;
    double rate = 100;           // visitor messages per second, all visitors together
    double duration_s = 10;      // measured window
    double warmup_s = 2;         // traffic before the window, not measured
    bool idle = false;           // only open and hold the connections
    double connect_rate = 4000;  // new connections per second
    int agents = 0;
    int agent_first = 1;         // bench-agent-<first> … bench-agent-<first+agents-1>
    std::string agent_password_file;
    double handoff_ratio = 0.1;  // conversations that ask for a person (when agents are given)
    std::vector<std::string> sources;
    int server_pid = 0;
    std::string json_path;
    std::string questions_path;
    std::string label;
    bool reconnect = false;           // resume after the server goes away (fault runs)
    bool new_shoppers = false;        // after rating, a shopper leaves and a new one comes
    std::string acked_path;           // write the ids of acknowledged messages here
    std::string timeline_path;        // write each measured ack's send time and latency here
    std::int64_t start_at_ms = 0;     // wall-clock ms: start the window then (several processes)
    std::vector<std::string> merge;   // --merge FILE…: combine reports instead of running
    std::int64_t server_base_rss_kb = 0;  // with --merge: the server's RSS before any connection
};

// Throws std::invalid_argument naming the flag at fault. Sets `help` for --help.
Options parse_options(const std::vector<std::string>& args, bool& help);
std::string usage();
// "127.0.0.2-127.0.0.20" or "127.0.0.2,127.0.0.3": the addresses, in order.
std::vector<std::string> parse_sources(const std::string& spec);

// What one process measured.
struct Counters {
    std::uint64_t connections = 0;      // open now
    std::uint64_t connect_failures = 0;
    std::uint64_t disconnects = 0;      // connections the server ended
    std::uint64_t resumes = 0;
    std::uint64_t sent = 0;             // visitor messages sent in the window
    std::uint64_t acked = 0;            // of which acked (by the end of the drain)
    std::uint64_t bot_replies = 0;
    std::uint64_t agent_messages = 0;   // agent messages delivered to visitors
    std::uint64_t conversations_resolved = 0;
    std::uint64_t handoffs = 0;
    std::uint64_t csat = 0;
    std::uint64_t errors = 0;           // error frames, all codes
    std::map<std::string, std::uint64_t> error_codes;
    std::uint64_t duplicates = 0;       // a conversation frame whose seq was already seen
    std::uint64_t gaps = 0;             // a conversation frame skipped a seq
    std::uint64_t unacked = 0;          // messages never acked at the end (all time)
    std::uint64_t stalled = 0;          // pacer found no visitor free to send
    Histogram ack, bot_reply, agent_delivery;
};

}  // namespace chat::bench
