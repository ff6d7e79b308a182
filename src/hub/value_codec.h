#pragma once
// How the hub writes values and integers into store records and keys
// (docs/storage.md, "History" and "Shadows").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "spec/value.h"

namespace millet::hub {

// Appends the low `bytes` bytes of `value`, most significant first.
void put_be(std::string& out, std::uint64_t value, int bytes);
// Reads `bytes` bytes at `offset` (the caller checks the size).
std::uint64_t get_be(std::string_view in, std::size_t offset, int bytes);

// A tag byte (0 bool, 1 integer, 2 float, 3 string), then the value: one byte
// 0/1, an i64 BE, an IEEE 754 double BE, or the UTF-8 bytes to the end.
std::string encode_value(const spec::Value& value);
void append_value(std::string& out, const spec::Value& value);
// nullopt for a damaged record.
std::optional<spec::Value> decode_value(std::string_view in);

}  // namespace millet::hub
