#pragma once
// A property value as millet keeps it: a bool, an integer, a float or a
// string — the JSON scalars a spec format admits.

#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace millet::spec {

using Value = std::variant<bool, std::int64_t, double, std::string>;

boost::json::value to_json(const Value& value);
// JSON text with numbers as people write them: 25.5, not Boost.JSON's 2.55E1.
std::string json_text(const boost::json::value& value);
// The same, appended to `out`; and for a Value without making a JSON value first.
void append_json_text(const boost::json::value& value, std::string& out);
void append_json_text(const Value& value, std::string& out);
// As JSON text: true, 42, 21.5, "text". Long strings are cut, for messages.
std::string to_text(const Value& value);
// The JSON text of any JSON value, cut to a readable length, for messages.
std::string to_text(const boost::json::value& value);
// The string at `key` of `object`, or "" when there is none or it is not a string.
std::string_view string_at(const boost::json::object& object, std::string_view key);

}  // namespace millet::spec
