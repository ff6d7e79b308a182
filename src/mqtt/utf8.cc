#include "mqtt/utf8.h"

#include <cstdint>
#include <cstring>

namespace millet::mqtt {

namespace {

// True if none of the eight bytes is 0 or has its high bit set (plain ASCII
// without U+0000): the common case for topics, checked a word at a time.
bool plain_ascii_word(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ull;
  constexpr std::uint64_t kHighs = 0x8080808080808080ull;
  const bool has_zero = ((word - kOnes) & ~word & kHighs) != 0;
  return !has_zero && (word & kHighs) == 0;
}

}  // namespace

bool is_valid_mqtt_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(text.data());
  const auto* end = p + text.size();
  while (end - p >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    if (!plain_ascii_word(word)) break;
    p += 8;
  }
  while (p < end) {
    const std::uint8_t lead = *p;
    if (lead < 0x80) {
      if (lead == 0) return false;
      ++p;
      continue;
    }
    int length;
    std::uint32_t code_point;
    if ((lead & 0xE0) == 0xC0) {
      length = 2;
      code_point = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      code_point = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      code_point = lead & 0x07;
    } else {
      return false;  // a continuation byte or 0xF8..0xFF cannot start a sequence
    }
    if (end - p < length) return false;
    for (int i = 1; i < length; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code_point = (code_point << 6) | (p[i] & 0x3F);
    }
    // Overlong encodings, surrogates and values beyond U+10FFFF are ill-formed.
    static constexpr std::uint32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (code_point < kMinimum[length]) return false;
    if (code_point >= 0xD800 && code_point <= 0xDFFF) return false;
    if (code_point > 0x10FFFF) return false;
    p += length;
  }
  return true;
}

}  // namespace millet::mqtt
