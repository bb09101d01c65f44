// visitor_command.cpp — flags, audit and output of `chatd visitor …`.
#include "visitor_command.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <stdexcept>
#include <system_error>

#include <nlohmann/json.hpp>

#include "cli_args.hpp"
#include "erased_visitors.hpp"
#include "event_log.hpp"
#include "identity.hpp"
#include "visitor_data.hpp"

namespace chat::privacy {
namespace {

using json = nlohmann::json;

using cli::UsageError;  // something the operator typed wrong: exit 2

struct Options {
    std::string sub, visitor, node;
    std::filesystem::path data = "data";
};

const char* kUsage =
    "usage: chatd visitor export ID [--data DIR] [--config FILE] [--node ID] [--redis URL]\n"
    "       chatd visitor erase ID  [--data DIR] [--config FILE] [--node ID] [--redis URL]\n"
    "\n"
    "export: everything held about the visitor, one JSON object on stdout.\n"
    "erase:  blanks the visitor's texts in every segment of DIR; a running chatd stops serving\n"
    "        them within 100 ms and refuses the visitor's token from then on.\n";

std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

Options parse(const std::vector<std::string>& args) {
    Options o;
    if (args.empty()) throw UsageError("missing subcommand: export or erase (see chatd visitor --help)");
    o.sub = args[0];
    if (o.sub != "export" && o.sub != "erase") throw UsageError("'" + o.sub + "': unknown subcommand, expected export or erase");
    std::string data_flag, config, node_flag;
    bool data_given = false;
    const cli::Args split = cli::split_args(args, 1);
    if (split.positionals.size() > 1) throw UsageError("'" + split.positionals[1] + "': unexpected argument");
    if (!split.positionals.empty()) o.visitor = split.positionals.front();
    for (const auto& [key, value, given] : split.flags) {
        if (key == "data") {
            if (value.empty()) throw UsageError("--data: expected a directory name");
            data_flag = value, data_given = true;
        } else if (key == "config") config = value;
        else if (key == "node") node_flag = value;
        else if (key == "redis") cli::check_redis_url(value, "--redis");
        else throw UsageError("--" + key + ": unknown flag for 'visitor " + o.sub + "' (see --help)");
    }
    if (o.visitor.empty()) throw UsageError("ID: missing (chatd visitor " + o.sub + " ID)");
    if (!valid_visitor_id(o.visitor))
        throw UsageError("ID: '" + o.visitor + "' is not a visitor id (letters, digits, '_' and '-', at most 100)");
    if (!config.empty()) {
        std::ifstream in(config);
        if (!in) throw UsageError("--config: cannot read '" + config + "'");
        json doc = json::parse(in, nullptr, false);
        if (!doc.is_object()) throw UsageError("--config: '" + config + "' must hold a JSON object");
        if (doc.contains("data") && doc["data"].is_string()) o.data = doc["data"].get<std::string>();
        if (doc.contains("node") && doc["node"].is_string()) o.node = doc["node"].get<std::string>();
    }
    if (data_given) o.data = data_flag;
    if (!node_flag.empty()) o.node = node_flag;
    return o;
}

// Appends the audit event to this node's log, or queues it for the chatd that holds the log.
// Returns where it went.
std::string audit(const Options& o, json event) {
    event["type"] = "audit";
    event["ts"] = now_ms();
    const std::string node = o.node.empty() ? chat::server::load_or_create_node_id(o.data) : o.node;
    try {
        eventlog::Options opts;
        opts.dir = o.data;
        opts.node = node;
        eventlog::Writer writer(opts);
        event["v"] = 1;
        event["node"] = node;
        event["seq"] = writer.next_seq();
        std::error_code result;
        writer.append({{writer.next_seq(), event.dump()}}, [&](std::error_code ec) { result = ec; });
        if (auto ec = writer.flush(); ec || result) throw std::system_error(ec ? ec : result, "cannot append to the event log");
        writer.close();
        return "log";
    } catch (const std::system_error& e) {
        if (e.code() != std::errc::resource_unavailable_try_again && e.code() != std::errc::operation_would_block) throw;
        queue_audit(o.data, event.dump());  // a running chatd holds the log: it appends this
        return "queued";
    }
}

std::string actor() {
    const char* user = std::getenv("USER");
    return std::string("system") + (user && *user ? ":" + std::string(user) : "");
}

}  // namespace

int run_visitor_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
    for (const auto& a : args)
        if (a == "--help" || a == "-h") {
            out << kUsage;
            return 0;
        }
    Options o;
    try {
        o = parse(args);
    } catch (const UsageError& e) {
        err << "chatd visitor: " << e.what() << '\n';
        return 2;
    }
    try {
        if (!std::filesystem::is_directory(o.data))
            throw std::runtime_error("data directory " + o.data.string() + " does not exist");
        if (o.sub == "export") {
            json doc = export_visitor(o.data, o.visitor);
            ErasedVisitors erased(o.data);
            doc["erased"] = erased.contains(o.visitor);
            audit(o, {{"actor", actor()}, {"action", "visitor.export"}, {"target", o.visitor}});
            out << doc.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
            return 0;
        }
        // Recorded first, so a running chatd stops serving the texts while we blank them; its
        // own pass waits for ours (EraseLock).
        EraseCounts n;
        {
            EraseLock lock(o.data);
            ErasedVisitors::record(o.data, o.visitor, now_ms());
            n = erase_visitor_texts(o.data, o.visitor);
        }
        audit(o, {{"actor", actor()}, {"action", "visitor.erase"}, {"target", o.visitor}});
        out << json{{"visitor", o.visitor}, {"conversations", n.conversations}, {"texts_erased", n.texts},
                    {"events_changed", n.lines}, {"torn_fragments_erased", n.torn_files}}
                   .dump()
            << '\n';
        return 0;
    } catch (const std::exception& e) {
        err << "chatd visitor " << o.sub << ": " << e.what() << '\n';
        return 1;
    }
}

}  // namespace chat::privacy
