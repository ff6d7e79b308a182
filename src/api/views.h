#pragma once
// How the API shows devices, their state and their history, rules, scenes and a
// home's settings as JSON (docs/api.md), shared with the command line, which
// shows a stopped millet's data the same way.

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "automation/engine.h"
#include "hub/hub.h"

namespace millet::api {

boost::json::object device_json(const hub::Device& device);
// A device with online, last_seen, properties (reported) and desired.
boost::json::object state_json(const hub::DeviceState& state);
// {"device", "property", "unit", "level", "from", "to", "truncated", "points" | "rollups"}, as
// text: a day of raw values is 8,640 points, and this is the API's hottest read.
std::string history_json(std::string_view device_id, const hub::PropertyHistory& history, std::int64_t from_ms,
                         std::int64_t to_ms);

// {"id", "home", "name", "enabled", "problem" (when there is one), "last_run" (ms or null), "running", "document"}.
boost::json::object rule_json(const automation::RuleView& rule);
// {"id", "home", "name", "document"}.
boost::json::object scene_json(const automation::SceneView& scene);
// {"mode", "location": {"latitude", "longitude"} or null, "time_zone"}.
boost::json::object settings_json(const automation::HomeSettings& settings);

// A time parameter: milliseconds since the epoch, "now", or relative to now:
// "-24h", "-7d", "-30m", "-90s".
std::optional<std::int64_t> parse_time(std::string_view text, std::int64_t now_ms);

}  // namespace millet::api
