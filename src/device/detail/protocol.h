#pragma once
// The device protocol's topics and payloads (docs/device-protocol.md), as pure
// functions: what the device sends is built here, what millet sends is parsed here.

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "device/device.h"

namespace millet::device::detail {

// "$device/<id>/<rest>"; rest is "report", "set/result", ...
std::string device_topic(std::string_view device_id, std::string_view rest);

// {"properties": {...}, "time": ms}; no "time" when not given.
std::string report_payload(const boost::json::object& properties, std::optional<std::int64_t> time_ms);
// {"event": "...", "arguments": {...}}
std::string event_payload(std::string_view name, const boost::json::object& arguments);
// {"id": "...", "status": "ok"} or {"id": "...", "status": "error", "message": "..."}
std::string set_result_payload(std::string_view request_id, const Status& status);
// As a set result, with "out" when ok.
std::string action_result_payload(std::string_view request_id, const ActionResult& result);

// A set from millet. When `error` is not empty the set is unusable; it is answered with
// that error if its `id` could still be read.
struct SetRequest {
  std::string id;
  boost::json::object properties;
  std::string error;
};
SetRequest parse_set(std::string_view payload);

// An action call from millet; `error` as for SetRequest. A missing "in" is empty.
struct ActionRequest {
  std::string id;
  std::string action;
  boost::json::object in;
  std::string error;
};
ActionRequest parse_action(std::string_view payload);

}  // namespace millet::device::detail
