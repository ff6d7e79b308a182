#include "spec/format.h"

#include <array>
#include <limits>
#include <utility>

namespace millet::spec {
namespace {

constexpr std::array<std::pair<std::string_view, Format>, 10> kFormats{{
    {"bool", Format::kBool},
    {"uint8", Format::kUint8},
    {"uint16", Format::kUint16},
    {"uint32", Format::kUint32},
    {"int8", Format::kInt8},
    {"int16", Format::kInt16},
    {"int32", Format::kInt32},
    {"int64", Format::kInt64},
    {"float", Format::kFloat},
    {"string", Format::kString},
}};

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  for (const auto& [text, format] : kFormats) {
    if (text == name) return format;
  }
  return std::nullopt;
}

std::string_view format_name(Format format) { return kFormats[static_cast<std::size_t>(format)].first; }

IntegerLimits integer_limits(Format format) {
  switch (format) {
    case Format::kUint8: return {0, 255};
    case Format::kUint16: return {0, 65535};
    case Format::kUint32: return {0, 4294967295};
    case Format::kInt8: return {-128, 127};
    case Format::kInt16: return {-32768, 32767};
    case Format::kInt32: return {-2147483648LL, 2147483647};
    default: return {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::max()};
  }
}

}  // namespace millet::spec
