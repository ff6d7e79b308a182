#include "hub/value_codec.h"

#include <bit>

namespace millet::hub {

void put_be(std::string& out, std::uint64_t value, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::uint64_t get_be(std::string_view in, std::size_t offset, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = (value << 8) | static_cast<unsigned char>(in[offset + i]);
  return value;
}

void append_value(std::string& out, const spec::Value& value) {
  out.push_back(static_cast<char>(value.index()));
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) out.push_back(v ? 1 : 0);
        else if constexpr (std::is_same_v<T, std::int64_t>) put_be(out, static_cast<std::uint64_t>(v), 8);
        else if constexpr (std::is_same_v<T, double>) put_be(out, std::bit_cast<std::uint64_t>(v), 8);
        else out += v;
      },
      value);
}

std::string encode_value(const spec::Value& value) {
  std::string out;
  append_value(out, value);
  return out;
}

std::optional<spec::Value> decode_value(std::string_view in) {
  if (in.empty()) return std::nullopt;
  switch (in[0]) {
    case 0: return in.size() == 2 ? std::optional<spec::Value>(in[1] != 0) : std::nullopt;
    case 1:
      if (in.size() != 9) return std::nullopt;
      return spec::Value(static_cast<std::int64_t>(get_be(in, 1, 8)));
    case 2:
      if (in.size() != 9) return std::nullopt;
      return spec::Value(std::bit_cast<double>(get_be(in, 1, 8)));
    case 3: return spec::Value(std::string(in.substr(1)));
    default: return std::nullopt;
  }
}

}  // namespace millet::hub
