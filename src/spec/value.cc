#include "spec/value.h"

#include <boost/json/serialize.hpp>
#include <fmt/format.h>

#include <cmath>

namespace millet::spec {
namespace {

constexpr std::size_t kMaxTextInMessages = 64;

std::string cut(std::string text) {
  if (text.size() > kMaxTextInMessages) {
    std::size_t end = kMaxTextInMessages;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;  // whole characters
    text.resize(end);
    text += "...";
  }
  return text;
}

}  // namespace

boost::json::value to_json(const Value& value) {
  return std::visit([](const auto& v) { return boost::json::value(v); }, value);
}

std::string to_text(const Value& value) { return to_text(to_json(value)); }

namespace {

void write(const boost::json::value& value, std::string& out) {
  switch (value.kind()) {
    case boost::json::kind::double_: {
      const double d = value.get_double();
      if (!std::isfinite(d)) {
        out += "null";
      } else {
        fmt::format_to(std::back_inserter(out), "{}", d);
      }
      break;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& item : value.get_array()) {
        if (!first) out += ',';
        first = false;
        write(item, out);
      }
      out += ']';
      break;
    }
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, item] : value.get_object()) {
        if (!first) out += ',';
        first = false;
        out += boost::json::serialize(boost::json::string_view(key));
        out += ':';
        write(item, out);
      }
      out += '}';
      break;
    }
    case boost::json::kind::int64: fmt::format_to(std::back_inserter(out), "{}", value.get_int64()); break;
    case boost::json::kind::uint64: fmt::format_to(std::back_inserter(out), "{}", value.get_uint64()); break;
    case boost::json::kind::bool_: out += value.get_bool() ? "true" : "false"; break;
    case boost::json::kind::null: out += "null"; break;
    default: out += boost::json::serialize(value);
  }
}

}  // namespace

std::string json_text(const boost::json::value& value) {
  std::string out;
  write(value, out);
  return out;
}

void append_json_text(const boost::json::value& value, std::string& out) { write(value, out); }

void append_json_text(const Value& value, std::string& out) {
  std::visit(
      [&out](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, bool>) {
          out += v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, double>) {
          if (std::isfinite(v)) {
            fmt::format_to(std::back_inserter(out), "{}", v);
          } else {
            out += "null";
          }
        } else if constexpr (std::is_same_v<T, std::string>) {
          out += boost::json::serialize(boost::json::string_view(v));
        } else {
          fmt::format_to(std::back_inserter(out), "{}", v);
        }
      },
      value);
}

std::string to_text(const boost::json::value& value) { return cut(json_text(value)); }

std::string_view string_at(const boost::json::object& object, std::string_view key) {
  const boost::json::value* value = object.if_contains(key);
  return value && value->is_string() ? std::string_view(value->get_string()) : std::string_view();
}

}  // namespace millet::spec
