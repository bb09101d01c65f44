// http_routes.hpp — what each plain HTTP request means: health, metrics, the console's and
// dashboard's API, static files.
//
// Sessions read and write; this file decides. A route answers through `reply`, possibly
// later and from another thread (a login waits for the password check on the blocking pool,
// a KPI report is computed on the core strand); the session posts the answer back.
#pragma once

#include <functional>

#include "net.hpp"
#include "shared_state.hpp"

namespace chat::server {

using Reply = std::function<void(http::message_generator)>;

void handle_request(SharedState& state, http::request<http::string_body>&& req, const std::string& peer, Reply reply);

}  // namespace chat::server
