// origin_policy.cpp — Origin header checks.
#include "origin_policy.hpp"

#include <algorithm>
#include <cctype>

namespace chat::server {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    while (!out.empty() && out.back() == '/') out.pop_back();
    return out;
}

}  // namespace

bool visitor_origin_ok(std::string_view origin, const std::vector<std::string>& allowed) {
    if (origin.empty() || allowed.empty()) return true;
    const std::string o = lower(origin);
    return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return lower(a) == o; });
}

bool same_origin(std::string_view origin, std::string_view host) {
    if (origin.empty()) return true;
    const std::string o = lower(origin);
    std::string_view rest;
    if (o.rfind("http://", 0) == 0) rest = std::string_view(o).substr(7);
    else if (o.rfind("https://", 0) == 0) rest = std::string_view(o).substr(8);
    else return false;
    if (rest.empty() || rest.find_first_of("/?#@") != std::string_view::npos) return false;
    return !host.empty() && rest == lower(host);
}

}  // namespace chat::server
