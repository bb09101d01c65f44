// request_parts.cpp — query parameters and cookies.
#include "request_parts.hpp"

#include "static_files.hpp"

namespace chat::server {

std::string query_param(std::string_view target, std::string_view key) {
    auto q = target.find('?');
    if (q == std::string_view::npos) return {};
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view pair = rest.substr(0, amp);
        auto eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == key) {
            std::string raw(pair.substr(eq + 1));
            for (auto& c : raw)
                if (c == '+') c = ' ';
            return percent_decode(raw).value_or(std::string{});
        }
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
    }
    return {};
}

std::string cookie_value(std::string_view header, std::string_view name) {
    for (std::size_t pos = 0; pos < header.size();) {
        while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
        auto end = header.find(';', pos);
        std::string_view item = header.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        auto eq = item.find('=');
        if (eq != std::string_view::npos && item.substr(0, eq) == name) return std::string(item.substr(eq + 1));
        if (end == std::string_view::npos) break;
        pos = end + 1;
    }
    return {};
}

}  // namespace chat::server
