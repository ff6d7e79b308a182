#include "spec/describe.h"


namespace millet::spec {
namespace {

namespace json = boost::json;

json::object text(const Text& t) { return {{"en", t.en}, {"zh", t.zh}}; }

json::array ids(const std::vector<std::uint32_t>& list) { return json::array(list.begin(), list.end()); }

json::array access_list(std::uint8_t access) {
  json::array list;
  if (access & kRead) list.emplace_back("read");
  if (access & kWrite) list.emplace_back("write");
  if (access & kNotify) list.emplace_back("notify");
  return list;
}

}  // namespace

json::object describe(const Property& property) {
  json::object o{{"piid", property.piid},
                 {"name", property.name},
                 {"description", text(property.description)},
                 {"format", format_name(property.format)},
                 {"access", access_list(property.access)}};
  // Whole numbers print as integers, so that [1, 100, 1] reads as written.
  const auto number = [](double d) { return d == static_cast<double>(static_cast<std::int64_t>(d)) ? json::value(static_cast<std::int64_t>(d)) : json::value(d); };
  if (property.range) {
    o["value-range"] = json::array{number(property.range->min), number(property.range->max), number(property.range->step)};
  }
  if (!property.values.empty()) {
    json::array values;
    for (const auto& entry : property.values) {
      values.push_back(json::object{{"value", entry.value}, {"description", text(entry.description)}});
    }
    o["value-list"] = std::move(values);
  }
  if (!property.unit.empty()) o["unit"] = property.unit;
  if (property.format == Format::kString) o["max-length"] = property.max_length;
  if (property.history_days) o["history-days"] = property.history_days;
  return o;
}

json::object describe(const Service& service) {
  json::array properties, actions, events;
  for (const auto& p : service.properties) properties.push_back(describe(p));
  for (const auto& a : service.actions) {
    actions.push_back(json::object{
        {"aiid", a.aiid}, {"name", a.name}, {"description", text(a.description)}, {"in", ids(a.in)}, {"out", ids(a.out)}});
  }
  for (const auto& e : service.events) {
    events.push_back(json::object{
        {"eiid", e.eiid}, {"name", e.name}, {"description", text(e.description)}, {"arguments", ids(e.arguments)}});
  }
  return {{"siid", service.siid},         {"type", service.type},          {"name", service.name},
          {"description", text(service.description)}, {"properties", std::move(properties)},
          {"actions", std::move(actions)}, {"events", std::move(events)}};
}

json::object describe(const DeviceType& type) {
  json::object o = summarize(type);
  json::array services;
  for (const auto& s : type.services) services.push_back(describe(s));
  o["services"] = std::move(services);
  return o;
}

json::object summarize(const DeviceType& type) {
  return {{"type", type.type}, {"name", type.name}, {"description", text(type.description)}};
}

std::string_view unit_symbol(std::string_view unit) {
  static constexpr std::pair<std::string_view, std::string_view> kSymbols[] = {
      {"percentage", "%"}, {"celsius", "°C"},       {"kelvin", "K"},       {"lux", "lx"},        {"ug-per-m3", "µg/m³"},
      {"mg-per-m3", "mg/m³"}, {"watt", "W"},        {"kilowatt-hour", "kWh"}, {"volt", "V"},     {"ampere", "A"},
      {"hertz", "Hz"},     {"kilogram", "kg"},     {"gram", "g"},         {"litre", "L"},       {"millilitre", "mL"},
      {"litre-per-minute", "L/min"}, {"metre", "m"}, {"square-metre", "m²"}, {"seconds", "s"},   {"minutes", "min"},
      {"hours", "h"},      {"days", "d"},          {"hectopascal", "hPa"}, {"decibel", "dB"},   {"degree", "°"}};
  for (const auto& [name, symbol] : kSymbols) {
    if (name == unit) return symbol;
  }
  return unit;
}

}  // namespace millet::spec
