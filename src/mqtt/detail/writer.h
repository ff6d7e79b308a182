#pragma once
// Writer: appends MQTT's primitive encodings to a ByteBuffer.

#include <cstdint>
#include <string_view>

#include "base/byte_buffer.h"

namespace millet::mqtt::detail {

inline std::size_t varint_size(std::uint32_t value) {
  return value < 128 ? 1 : value < 16'384 ? 2 : value < 2'097'152 ? 3 : 4;
}

class Writer {
 public:
  explicit Writer(ByteBuffer& out) : out_(out) {}

  void u8(std::uint8_t value) { out_.push_back(std::byte{value}); }
  void u16(std::uint16_t value) {
    const std::byte bytes[2] = {std::byte(value >> 8), std::byte(value & 0xFF)};
    out_.append(ByteSpan(bytes, 2));
  }
  void u32(std::uint32_t value) {
    const std::byte bytes[4] = {std::byte(value >> 24), std::byte((value >> 16) & 0xFF),
                                std::byte((value >> 8) & 0xFF), std::byte(value & 0xFF)};
    out_.append(ByteSpan(bytes, 4));
  }
  void varint(std::uint32_t value) {
    do {
      std::uint8_t byte = value & 0x7F;
      value >>= 7;
      if (value) byte |= 0x80;
      u8(byte);
    } while (value);
  }
  void binary(ByteSpan bytes) {
    u16(static_cast<std::uint16_t>(bytes.size()));
    out_.append(bytes);
  }
  void string(std::string_view text) { binary(as_bytes(text)); }
  void raw(ByteSpan bytes) { out_.append(bytes); }

 private:
  ByteBuffer& out_;
};

}  // namespace millet::mqtt::detail
