// request_parts.hpp — reading the parts of an HTTP request that the routes and sessions need:
// a query parameter of the target, a cookie of the Cookie header. Pure string work, unit
// tested, shared so that every caller reads them the same way.
#pragma once

#include <string>
#include <string_view>

namespace chat::server {

// The percent-decoded value of `key` in the target's query ('+' read as a space); empty when
// absent or malformed.
std::string query_param(std::string_view target, std::string_view key);

// The value of cookie `name` in a Cookie header ("a=1; b=2"); empty when absent.
std::string cookie_value(std::string_view header, std::string_view name);

}  // namespace chat::server
