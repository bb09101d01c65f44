// main.cpp — chatd's entry point: the server, or a subcommand (`chatd user …`).
//
// Exit codes follow ../shared/spec/cli.md (docs/cli.md): 0 success, 2 usage error (one line
// naming the flag), 1 runtime failure (one line saying what and where).
#include <iostream>
#include <string>
#include <vector>

#include "config.hpp"
#include "server.hpp"
#include "user_command.hpp"
#include "visitor_command.hpp"

int main(int argc, char** argv) {
    using namespace chat::server;
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "user") {
        return chat::accounts::run_user_command({args.begin() + 1, args.end()}, std::cin, std::cout, std::cerr);
    }
    if (!args.empty() && args[0] == "visitor") {
        return chat::privacy::run_visitor_command({args.begin() + 1, args.end()}, std::cout, std::cerr);
    }
    try {
        bool help = false;
        Config cfg = parse_server_args(args, help);
        if (help) {
            std::cout << server_usage();
            return 0;
        }
        resolve_default_dirs(cfg, argv[0]);
        return run_server(std::move(cfg));
    } catch (const UsageError& e) {
        std::cerr << "chatd: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "chatd: " << e.what() << '\n';
        return 1;
    }
}
