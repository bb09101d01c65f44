// server.hpp — chatd's process: the io_context, its threads, signals and clean shutdown.
//
// run() binds the listener, prints "chatd listening on http://ADDR:PORT" (tests and scripts
// read the port from it when --listen asks for port 0), serves until SIGINT or SIGTERM, then
// stops accepting, lets every connection flush and close, and returns 0.
#pragma once

#include "config.hpp"

namespace chat::server {

int run_server(Config cfg);

}  // namespace chat::server
