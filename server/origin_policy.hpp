// origin_policy.hpp — which web pages may talk to chatd from a browser.
//
// The shop's pages open /ws/visitor: their origins are configured (--allowed-origin; none
// configured: any, with a warning at start). The console and dashboard are served by chatd
// itself: /ws/agent and /api/* accept only chatd's own origin, so another site cannot drive
// an agent's logged-in browser (cross-site WebSocket hijacking, CSRF; the session cookie is
// also SameSite=Strict). A request without Origin is not from a browser page (curl, the
// bench, tests) and carries no ambient authority a page could abuse; it is let through.
// Pure: strings in, verdict out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chat::server {

// `origin` is the Origin header ("" when absent). The shop's pages: any of `allowed` (exact,
// trailing '/' ignored), or anything when `allowed` is empty.
bool visitor_origin_ok(std::string_view origin, const std::vector<std::string>& allowed);

// chatd's own origin: the Origin's host[:port] equals the request's Host header (the scheme
// may differ behind a TLS-terminating proxy). "null" and malformed origins are refused.
bool same_origin(std::string_view origin, std::string_view host);

}  // namespace chat::server
