#include "spec/validate.h"

#include <fmt/format.h>

#include <cmath>

namespace millet::spec {
namespace {

Unexpected<Rejection> reject(const Service& service, const Property& property, const boost::json::value& value,
                             std::string rule) {
  return unexpected(Rejection{qualified_name(service, property.name), to_text(value), std::move(rule)});
}

// A JSON number as an integer, if it has no fraction and fits.
std::optional<std::int64_t> as_integer(const boost::json::value& value) {
  if (value.is_int64()) return value.get_int64();
  if (value.is_uint64()) {
    if (value.get_uint64() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(value.get_uint64());
  }
  if (value.is_double()) {
    const double d = value.get_double();
    if (std::trunc(d) != d || d < -9.2e18 || d > 9.2e18) return std::nullopt;
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

std::string list_text(const Property& property) {
  std::string text;
  for (const auto& entry : property.values) {
    if (!text.empty()) text += ", ";
    text += fmt::format("{} ({})", entry.value, entry.description.en);
  }
  return text;
}

// Whether `value` is min + k * step for a whole k (with a tolerance for floats).
bool on_step(double value, const ValueRange& range) {
  const double steps = (value - range.min) / range.step;
  return std::fabs(steps - std::round(steps)) <= 1e-6 * std::max(1.0, std::fabs(steps));
}

Expected<Value, Rejection> check_number(const Service& service, const Property& property,
                                        const boost::json::value& value) {
  if (!value.is_number()) return reject(service, property, value, "is not a number");
  double number;
  Value kept;
  if (is_integer(property.format)) {
    const auto integer = as_integer(value);
    if (!integer) {
      return reject(service, property, value, fmt::format("is not an integer ({})", format_name(property.format)));
    }
    const auto limits = integer_limits(property.format);
    if (*integer < limits.min || *integer > limits.max) {
      return reject(service, property, value,
                    fmt::format("is outside {} [{}, {}]", format_name(property.format), limits.min, limits.max));
    }
    number = static_cast<double>(*integer);
    kept = *integer;
  } else {
    number = value.to_number<double>();
    if (!std::isfinite(number)) return reject(service, property, value, "is not a finite number");
    kept = number;
  }
  if (!property.values.empty()) {
    for (const auto& entry : property.values) {
      if (static_cast<double>(entry.value) == number) return kept;
    }
    return reject(service, property, value, "is not one of " + list_text(property));
  }
  if (const auto& range = property.range) {
    if (number < range->min || number > range->max) {
      return reject(service, property, value, fmt::format("is outside [{}, {}]", range->min, range->max));
    }
    if (!on_step(number, *range)) {
      return reject(service, property, value, fmt::format("is not in steps of {} from {}", range->step, range->min));
    }
  }
  return kept;
}

}  // namespace

std::string Rejection::message(std::string_view device) const {
  if (value.empty()) return fmt::format("device '{}': {} {}", device, property, rule);
  return fmt::format("device '{}': {} = {} {}", device, property, value, rule);
}

Expected<Value, Rejection> check_value(const Service& service, const Property& property,
                                       const boost::json::value& value) {
  switch (property.format) {
    case Format::kBool:
      if (!value.is_bool()) return reject(service, property, value, "is not a bool (true or false)");
      return Value(value.get_bool());
    case Format::kString: {
      if (!value.is_string()) return reject(service, property, value, "is not a string");
      const auto& text = value.get_string();
      if (text.size() > property.max_length) {
        return reject(service, property, value, fmt::format("is longer than {} bytes", property.max_length));
      }
      return Value(std::string(text));
    }
    default: return check_number(service, property, value);
  }
}

Expected<void, Rejection> check_access(const Service& service, const Property& property, Use use) {
  const char* what = nullptr;
  switch (use) {
    case Use::kSet:
      if (property.allows(kWrite)) return {};
      what = "cannot be written";
      break;
    case Use::kReport:
      if (property.allows(kNotify) || property.allows(kRead)) return {};
      what = "cannot be reported";
      break;
    case Use::kRead:
      if (property.allows(kRead) || property.allows(kNotify)) return {};
      what = "cannot be read";
      break;
  }
  return unexpected(Rejection{qualified_name(service, property.name), "",
                              fmt::format("{} (access: {})", what, access_text(property.access))});
}

std::string access_text(std::uint8_t access) {
  std::string text;
  for (auto [bit, name] : {std::pair{kRead, "read"}, {kWrite, "write"}, {kNotify, "notify"}}) {
    if (access & bit) text += text.empty() ? name : std::string(", ") + name;
  }
  return text.empty() ? "none" : text;
}

}  // namespace millet::spec
