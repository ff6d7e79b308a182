#pragma once
// The value formats of a property (DESIGN.md, "The device model").

#include <cstdint>
#include <optional>
#include <string_view>

namespace millet::spec {

enum class Format : std::uint8_t { kBool, kUint8, kUint16, kUint32, kInt8, kInt16, kInt32, kInt64, kFloat, kString };

// "uint8" -> Format::kUint8; nullopt for an unknown name.
std::optional<Format> parse_format(std::string_view name);
std::string_view format_name(Format format);

inline bool is_integer(Format format) { return format >= Format::kUint8 && format <= Format::kInt64; }
inline bool is_numeric(Format format) { return is_integer(format) || format == Format::kFloat; }

// The values an integer format can hold.
struct IntegerLimits {
  std::int64_t min;
  std::int64_t max;
};
IntegerLimits integer_limits(Format format);

}  // namespace millet::spec
