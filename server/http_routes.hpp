// http_routes.hpp — what each plain HTTP request means: health, metrics, API, static files.
//
// Sessions read and write; this file decides. Each route builds a complete response, so a
// session never needs to know which route answered.
#pragma once

#include "net.hpp"
#include "shared_state.hpp"

namespace chat::server {

http::message_generator handle_request(SharedState& state, http::request<http::string_body>&& req);

}  // namespace chat::server
