// config.hpp — chatd's settings: what the command line and the JSON config file say.
//
// The contract is ../shared/spec/cli.md (mirrored in docs/cli.md): long flags, a JSON file
// whose keys are the flag names without "--", flags winning over the file, and a `limits`
// object with abuse-proof defaults. Parsing is pure (no sockets, no Beast) so it is unit
// tested directly; a usage error is a UsageError whose message names the flag at fault.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_args.hpp"

namespace chat::server {

// Thrown for anything the operator typed wrong; main() prints it on one line and exits 2.
using UsageError = cli::UsageError;

struct Limits {
    std::size_t frame_bytes = 65536;
    std::size_t text_chars = 4000;
    double msgs_per_s = 10;
    double burst = 20;
    int header_timeout_s = 10;
    std::size_t conns_per_address = 100;  // 0 = no limit
    std::size_t max_connections = 100000;
    std::size_t outgoing_queue_frames = 256;  // per connection; a slower client is dropped
    // Frames of an open conversation's history kept in memory (up to twice as many before the
    // oldest go to the log, read back when needed); 0: all kept.
    std::size_t history_frames = 16;
    double login_burst = 5;     // login attempts per account at once (an address: 4x)
    double login_per_min = 6;   // then this many a minute (an address: 4x)
};

// When conversations change state on their own (router timers), in milliseconds.
struct Timeouts {
    std::int64_t reopen_window_ms = 24LL * 3600 * 1000;
    std::int64_t bot_inactivity_ms = 15LL * 60 * 1000;
    std::int64_t agent_inactivity_ms = 30LL * 60 * 1000;
    std::int64_t queue_abandon_ms = 2LL * 60 * 1000;
    std::int64_t agent_grace_ms = 30LL * 1000;
    // A closed conversation's history stays in memory this long, then is read from the log.
    std::int64_t history_kept_ms = 10LL * 60 * 1000;
};

// When humans answer. Outside these hours (or with no agent online) a shopper who asks for
// a person is told when the team is back and may leave a message.
struct BusinessHours {
    bool set = false;                // unset: always open
    int utc_offset_minutes = 0;      // the shop's time zone, as an offset from UTC
    std::uint8_t days = 0b0011111;   // bit 0 = Monday … bit 6 = Sunday
    int open_minute = 9 * 60;        // minutes after local midnight
    int close_minute = 18 * 60;
    std::string text_fr = "du lundi au vendredi, de 9 h à 18 h";
    std::string text_en = "Monday to Friday, 9 am to 6 pm";
};

struct Endpoint {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 = any free port (printed at start)
};

struct Config {
    Endpoint listen;
    std::filesystem::path data = "data";
    std::filesystem::path config_file;  // empty = none
    std::string node;                   // empty = generated once and kept in `data`
    std::string redis;                  // empty = single node
    std::filesystem::path web_root;     // empty = web-widget/ of the repository
    std::filesystem::path faq;          // empty = faq/ of the repository
    std::filesystem::path tls_cert, tls_key;
    std::vector<std::string> allowed_origins;
    std::vector<std::string> trusted_proxies;
    int threads = 0;  // 0 = one per core
    int relaxed_sync_ms = 0;  // 0 = every append is fsynced before it is acknowledged
    int commit_window_us = 2000;  // at most one log fdatasync per window (strict mode); 0 = none
    int retention_days = 0;   // 0 = keep texts; else texts older than this are erased
    Limits limits;
    Timeouts timeouts;
    BusinessHours hours;
};

// "ADDR:PORT", "[v6]:PORT" or ":PORT". Throws UsageError naming `flag`.
Endpoint parse_endpoint(const std::string& text, const std::string& flag);

// Parses the server's flags (argv without the program name). A `--config FILE` is read
// first and the flags given on the command line override it. Sets `help` for --help.
Config parse_server_args(const std::vector<std::string>& args, bool& help);

// Reads the JSON config file into `cfg` (flags are applied afterwards by the caller).
void apply_config_file(Config& cfg, const std::filesystem::path& file);

// The --help text.
std::string server_usage();

// Fills web_root and faq when unset: `web-widget/` and `faq/` under the current directory if
// they exist, else next to the executable's source tree (build/bin/../../).
void resolve_default_dirs(Config& cfg, const std::filesystem::path& exe);

}  // namespace chat::server
