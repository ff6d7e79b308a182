#include "spec/device_type.h"

#include <charconv>

namespace millet::spec {
namespace {

template <class T, class Id>
const T* by_id(const std::vector<T>& list, std::uint32_t id, Id T::*field) {
  for (const T& item : list) {
    if (item.*field == id) return &item;
  }
  return nullptr;
}

template <class T>
const T* by_name(const std::vector<T>& list, std::string_view name) {
  for (const T& item : list) {
    if (item.name == name) return &item;
  }
  return nullptr;
}

std::optional<std::uint32_t> parse_id(std::string_view text) {
  std::uint32_t id = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return id;
}

// Splits "a.b" at its first dot, finds the service by "a" (an siid if it is
// a number, else a name) and the member by "b" with the same rule.
template <class Member, class ById, class ByName>
std::optional<Found<Member>> find(const DeviceType& type, std::string_view address, ById by_id_of,
                                  ByName by_name_of) {
  const auto dot = address.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view service_part = address.substr(0, dot);
  const std::string_view member_part = address.substr(dot + 1);
  const auto siid = parse_id(service_part);
  const Service* service = siid ? type.service(*siid) : type.service(service_part);
  if (!service) return std::nullopt;
  const auto id = parse_id(member_part);
  const Member* member = id ? by_id_of(*service, *id) : by_name_of(*service, member_part);
  if (!member) return std::nullopt;
  return Found<Member>{service, member};
}

}  // namespace

const Property* Service::property(std::uint32_t piid) const { return by_id(properties, piid, &Property::piid); }
const Property* Service::property(std::string_view name) const { return by_name(properties, name); }
const Action* Service::action(std::uint32_t aiid) const { return by_id(actions, aiid, &Action::aiid); }
const Action* Service::action(std::string_view name) const { return by_name(actions, name); }
const Event* Service::event(std::uint32_t eiid) const { return by_id(events, eiid, &Event::eiid); }
const Event* Service::event(std::string_view name) const { return by_name(events, name); }

const Service* DeviceType::service(std::uint32_t siid) const { return by_id(services, siid, &Service::siid); }
const Service* DeviceType::service(std::string_view name) const { return by_name(services, name); }

std::optional<Found<Property>> DeviceType::find_property(std::string_view address) const {
  return find<Property>(
      *this, address, [](const Service& s, std::uint32_t id) { return s.property(id); },
      [](const Service& s, std::string_view name) { return s.property(name); });
}

std::optional<Found<Action>> DeviceType::find_action(std::string_view address) const {
  return find<Action>(
      *this, address, [](const Service& s, std::uint32_t id) { return s.action(id); },
      [](const Service& s, std::string_view name) { return s.action(name); });
}

std::optional<Found<Event>> DeviceType::find_event(std::string_view address) const {
  return find<Event>(
      *this, address, [](const Service& s, std::uint32_t id) { return s.event(id); },
      [](const Service& s, std::string_view name) { return s.event(name); });
}

std::string qualified_name(const Service& service, std::string_view member) {
  return service.name + "." + std::string(member);
}

std::string qualified_ids(const Service& service, std::uint32_t id) {
  return std::to_string(service.siid) + "." + std::to_string(id);
}

std::string DeviceType::property_name(std::uint32_t siid, std::uint32_t piid) const {
  const Service* found = service(siid);
  const Property* property = found ? found->property(piid) : nullptr;
  if (!property) return std::to_string(siid) + "." + std::to_string(piid);
  return qualified_name(*found, property->name);
}

}  // namespace millet::spec
