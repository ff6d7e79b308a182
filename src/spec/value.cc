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
    default: out += boost::json::serialize(value);
  }
}

}  // namespace

std::string json_text(const boost::json::value& value) {
  std::string out;
  write(value, out);
  return out;
}

std::string to_text(const boost::json::value& value) { return cut(json_text(value)); }

}  // namespace millet::spec
