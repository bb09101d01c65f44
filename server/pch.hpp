// pch.hpp — precompiled header for the server's translation units.
//
// Asio and Beast headers cost tens of seconds to parse; parsing them once here and reusing
// the result in every server file keeps a 2-core build fast. Only the server and the test
// WebSocket client use it: the pure libraries (bot, kpi) never see these headers.
#pragma once
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>
