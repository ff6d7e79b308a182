#pragma once
// How the command line prints devices, history, rules and their traces for
// people (the JSON is the API's, docs/api.md): the same for a running server
// and, where the command works on one, for a data directory.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

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

// JSON for people to read and edit: what fits on a line stays on it, the rest is
// indented by two spaces a level.
std::string pretty_json(const boost::json::value& value);
// A rule (the API's view): name, id, home, state, last run, problem; then its document.
void print_rule(const boost::json::object& rule, std::string_view home_name);
// One run of a rule (a trace): when, what triggered it, how it ended; each
// condition ✓ or ✗ with why; each step with its action, detail, result and duration.
void print_trace(const boost::json::object& trace);

}  // namespace millet::app
