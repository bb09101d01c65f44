// static_files.hpp — mapping a request target to a file under the web root, safely.
//
// The widget, the console, the dashboard and the demo shop are plain files under
// --web-root. A target is percent-decoded once, any `..` segment, NUL or backslash is refused,
// and the resolved file must still lie under the web root once symlinks are followed, so no
// encoding trick and no symlink reaches a file outside it. Pure: no sockets.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace chat::server {

enum class StaticResult { ok, not_found, bad_path };

// `root` must be canonical. On ok, `file` is the canonical path of a regular file.
StaticResult resolve_static(const std::filesystem::path& root, std::string_view target, std::filesystem::path& file);

// Front-end libraries installed by npm (package-lock.json) and served under /vendor/: a fixed
// list, looked up in <web root>/../node_modules. On ok, `file` is that file's path.
StaticResult resolve_vendor(const std::filesystem::path& root, std::string_view target, std::filesystem::path& file);

// A weak validator for a file, from its size and modification time: W/"<size>-<mtime ns>" in hex.
// Empty when the file cannot be read.
std::string etag_of(const std::filesystem::path& file);

// Whether an If-None-Match header value names `etag` (a list, weak or not, or "*").
bool etag_matches(std::string_view if_none_match, std::string_view etag);

// Decodes %XX escapes; nullopt for a malformed escape or an encoded NUL.
std::optional<std::string> percent_decode(std::string_view s);

// Content-Type for a file name, by extension.
std::string_view mime_type(const std::filesystem::path& file);

}  // namespace chat::server
