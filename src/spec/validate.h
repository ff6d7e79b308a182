#pragma once
// Checking a value that enters the platform — a device's report, a person's
// set, an action's argument — against its property (docs/spec.md, "Checking
// values"). Pure functions; no I/O.

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

#include "base/expected.h"
#include "spec/device_type.h"
#include "spec/value.h"

namespace millet::spec {

// Why a value or an operation was refused: enough to say
// "device 'hall-light': light.brightness = 140 is outside [1, 100]".
struct Rejection {
  std::string property;  // "light.brightness"
  std::string value;     // the value as JSON text; empty when the rule is not about a value
  std::string rule;      // "is outside [1, 100]"

  // The whole sentence, naming the device.
  std::string message(std::string_view device) const;
};

// Checks `value` against the property's format, range and step, value list and
// length. Returns it as millet keeps it: an integer format's 50.0 becomes 50.
Expected<Value, Rejection> check_value(const Service& service, const Property& property,
                                       const boost::json::value& value);

// What is being done with a property.
enum class Use : std::uint8_t {
  kSet,     // a person or an automation sets it: needs write
  kReport,  // the device reports it: needs notify or read
  kRead,    // someone reads it: needs read or notify
};
Expected<void, Rejection> check_access(const Service& service, const Property& property, Use use);

// "read, notify"; "none" for no access at all.
std::string access_text(std::uint8_t access);

}  // namespace millet::spec
