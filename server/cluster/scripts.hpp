// scripts.hpp — the Lua scripts of server/cluster/lua, compiled into the binary.
//
// CMake reads lua/*.lua at configure time (and again whenever one changes) into a generated
// source; each script comes out with lua/lib.lua (key names, the agent picker) in front of it,
// and with its SHA-1, the name Redis knows it by for EVALSHA.
#pragma once

#include <string>
#include <string_view>

namespace chat::cluster {

struct Script {
    std::string_view name;
    std::string source;  // lib.lua + the script
    std::string sha1;    // hex, as SCRIPT LOAD returns it
};

// Throws std::out_of_range for a name with no lua/<name>.lua.
const Script& script(std::string_view name);

}  // namespace chat::cluster
