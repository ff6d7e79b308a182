#pragma once
// How the command line prints devices and history for people (the JSON is the
// API's, docs/api.md): the same for a running server and for a data directory.

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace millet::app {

// "2026-11-21 19:52:40" in local time; "never" for 0.
std::string format_time(std::int64_t ms);
// A string member, or "".
std::string_view str(const boost::json::object& o, std::string_view key);

// A DeviceState: name, type, online, last seen; a line per property, with values set but not reported.
void print_state(const boost::json::object& state);
// A History answer: raw values or rollups, with units.
void print_history(const boost::json::object& history, std::string_view device);

}  // namespace millet::app
