#pragma once
// Device types as JSON, in the shape of the catalog files (docs/spec.md) with
// every member spelled out: what `millet spec show --json` prints and the API
// returns for a type.

#include <boost/json/value.hpp>

#include "spec/device_type.h"

namespace millet::spec {

boost::json::object describe(const Property& property);
boost::json::object describe(const Service& service);
boost::json::object describe(const DeviceType& type);
// The short form for lists: type, name, description.
boost::json::object summarize(const DeviceType& type);

}  // namespace millet::spec
