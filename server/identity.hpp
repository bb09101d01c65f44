// identity.hpp — unguessable identifiers: visitor ids and tokens, the node id.
//
// Tokens come from the kernel's CSPRNG (getrandom), 128 bits or more, hex-encoded, so a
// visitor token cannot be guessed from another one. The node id is generated once and kept
// in the data directory so that the event log's `node` field is stable across restarts.
#pragma once

#include <filesystem>
#include <string>

namespace chat::server {

// `bytes` random bytes from the kernel, hex-encoded (2 * bytes characters).
std::string random_hex(std::size_t bytes);

// Reads `<data>/node-id`, creating it (and `data`) with a new id when missing. Throws
// std::runtime_error naming the file when it cannot be read or written.
std::string load_or_create_node_id(const std::filesystem::path& data);

}  // namespace chat::server
