#pragma once
// Reader: a bounds-checked cursor over a packet's bytes. Every read checks the
// remaining length first and reports failure instead of reading past the end;
// the codec turns a failed read into "Malformed Packet".

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "base/byte_buffer.h"

namespace millet::mqtt::detail {

class Reader {
 public:
  explicit Reader(ByteSpan bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - position_; }
  bool at_end() const { return position_ == bytes_.size(); }
  std::size_t position() const { return position_; }

  bool read_u8(std::uint8_t& out) {
    if (remaining() < 1) return false;
    out = static_cast<std::uint8_t>(bytes_[position_++]);
    return true;
  }
  bool read_u16(std::uint16_t& out) {
    if (remaining() < 2) return false;
    out = static_cast<std::uint16_t>((byte_at(0) << 8) | byte_at(1));
    position_ += 2;
    return true;
  }
  bool read_u32(std::uint32_t& out) {
    if (remaining() < 4) return false;
    out = (std::uint32_t{byte_at(0)} << 24) | (std::uint32_t{byte_at(1)} << 16) |
          (std::uint32_t{byte_at(2)} << 8) | std::uint32_t{byte_at(3)};
    position_ += 4;
    return true;
  }
  // Variable Byte Integer (section 1.5.5): at most 4 bytes, value < 2^28.
  bool read_varint(std::uint32_t& out) {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      std::uint8_t byte;
      if (!read_u8(byte)) return false;
      value |= std::uint32_t{byte & 0x7Fu} << (7 * i);
      if ((byte & 0x80) == 0) {
        // The encoding must be minimal: a trailing zero continuation is malformed.
        if (i > 0 && byte == 0) return false;
        out = value;
        return true;
      }
    }
    return false;
  }
  bool read_bytes(std::size_t count, ByteSpan& out) {
    if (remaining() < count) return false;
    out = bytes_.subspan(position_, count);
    position_ += count;
    return true;
  }
  // Two-byte length followed by that many bytes (Binary Data or UTF-8 String).
  bool read_binary(ByteSpan& out) {
    std::uint16_t length;
    return read_u16(length) && read_bytes(length, out);
  }
  bool read_string(std::string_view& out) {
    ByteSpan bytes;
    if (!read_binary(bytes)) return false;
    out = as_text(bytes);
    return true;
  }
  ByteSpan rest() {
    ByteSpan out = bytes_.subspan(position_);
    position_ = bytes_.size();
    return out;
  }

 private:
  std::uint32_t byte_at(std::size_t offset) const {
    return static_cast<std::uint8_t>(bytes_[position_ + offset]);
  }

  ByteSpan bytes_;
  std::size_t position_ = 0;
};

}  // namespace millet::mqtt::detail
