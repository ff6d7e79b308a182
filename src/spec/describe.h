#pragma once
// Device types as JSON, in the shape of the catalog files (docs/spec.md) with
// every member spelled out: what `millet spec show --json` prints and the API
// returns for a type.

#include <boost/json/value.hpp>

#include <string_view>

#include "spec/device_type.h"

namespace millet::spec {

boost::json::object describe(const Property& property);
boost::json::object describe(const Service& service);
boost::json::object describe(const DeviceType& type);
// The short form for lists: type, name, description.
boost::json::object summarize(const DeviceType& type);

// How a unit is written after a number for people: "%", "°C", "kWh"; the
// unit's name when it has no symbol ("rgb"); empty for none.
std::string_view unit_symbol(std::string_view unit);

}  // namespace millet::spec
