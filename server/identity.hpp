// identity.hpp — unguessable identifiers: visitor ids and tokens, the node id.
//
// Tokens come from the kernel's CSPRNG (getrandom), 128 bits or more, hex-encoded, so a
// visitor token cannot be guessed from another one. The node id is generated once and kept
// in the data directory so that the event log's `node` field is stable across restarts.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace chat::server {

// `bytes` random bytes from the kernel, hex-encoded (2 * bytes characters).
std::string random_hex(std::size_t bytes);

// Reads `<data>/node-id`, creating it (and `data`) with a new id when missing. Throws
// std::runtime_error naming the file when it cannot be read or written.
std::string load_or_create_node_id(const std::filesystem::path& data);

// Reads `<data>/secret` (32 random bytes, created with mode 0600 when missing): the key that
// signs visitor tokens and agent sessions, so they survive a restart without being stored.
std::string load_or_create_secret(const std::filesystem::path& data);

// HMAC-SHA256 of `message` under `key`, hex-encoded (64 characters).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// A visitor id is "v" and 128 random bits in hex. A visitor's token: "<visitor>.<mac>", the MAC binding it to that visitor under the data
// directory's secret, so it needs no storage, survives restarts and cannot be forged.
std::string new_visitor_id();
std::string visitor_token(std::string_view secret, std::string_view visitor);
// The visitor a token belongs to, or "" when the token is not one of ours.
std::string visitor_of_token(std::string_view secret, std::string_view token);

// Compares two strings in time that depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace chat::server
