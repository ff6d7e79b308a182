#pragma once
// Template implementation of for_each_raw_property (see properties.h).

#include "mqtt/detail/reader.h"

namespace millet::mqtt {

namespace detail {
// The length of the value that follows property `id`, or 0 if unknown. Strings
// and binaries return their full length including the 2-byte prefix.
std::size_t raw_property_value_size(PropertyId id, ByteSpan value_start);
}  // namespace detail

template <class Visitor>
void for_each_raw_property(ByteSpan contents, Visitor&& visit) {
  std::size_t offset = 0;
  while (offset < contents.size()) {
    const auto id = static_cast<PropertyId>(contents[offset]);
    const std::size_t value_size =
        detail::raw_property_value_size(id, contents.subspan(offset + 1));
    if (value_size == 0) return;  // not validated input; stop rather than misread
    visit(id, contents.subspan(offset, 1 + value_size));
    offset += 1 + value_size;
  }
}

}  // namespace millet::mqtt
