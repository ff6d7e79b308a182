#pragma once
// What a device can do, read from its spec: the operation that carries out a
// command on it, or why it cannot; and the values a question asks about.
// Internal to src/assistant.

#include <optional>
#include <string>
#include <string_view>

#include "assistant/detail/frame.h"
#include "base/expected.h"
#include "spec/device_type.h"

namespace millet::assistant::detail {

struct Problem {
  enum class Kind { kUnsupported, kOutOfRange, kUnknownValue, kNoSuchMode } kind = Kind::kUnsupported;
  double min = 0, max = 0;
  std::string unit;  // "%", "°C", "K"
};

// The operation for `command` on `device`; `service` narrows it to one
// service ("fan-control" for "the fan" of a ceiling fan light).
Expected<Operation, Problem> plan(const Device& device, const Command& command, std::string_view service);

// Whether the device is of the category (categories()).
bool in_category(const Device& device, int category);
// What a bare value or "up" means for the device: brightness for a light, volume for a speaker.
Attribute default_attribute(const Device& device);
// The intent that sets `attribute`; kUnknown if none.
Intent set_intent(Attribute attribute);
Attribute attribute_of(Intent intent);

// A value a question asks about.
struct Reading {
  std::string property;   // "environment.temperature"
  spec::Value value;
  const spec::Property* spec = nullptr;
};
// For `attribute` ("locked" and "open" are asked as kStatus with a state; see Ask).
enum class Ask { kAttribute, kOn, kLocked, kOpen };
std::optional<Reading> read(const Device& device, Ask ask, Attribute attribute, std::string_view service,
                            bool measured_only = false);
// Whether the reading says yes to a yes-or-no question (is it on, locked, open); none for
// an attribute's question or a value not known.
std::optional<bool> says_yes(Ask ask, const Reading& reading);
// Whether the device has what the question asks about, known or not.
bool answers(const Device& device, Ask ask, Attribute attribute, std::string_view service, bool measured_only = false);

// The value as a number (bools as 0 and 1); none for text.
std::optional<double> number_of(const spec::Value& value);

}  // namespace millet::assistant::detail
