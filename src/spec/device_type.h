#pragma once
// The device model (DESIGN.md, "The device model"; docs/spec.md): a device
// type is a set of services; a service holds properties, actions and events,
// numbered siid / piid / aiid / eiid and named for people. Types are immutable
// once the catalog is loaded and are shared by every device of the type.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/format.h"

namespace millet::spec {

// A description in both languages millet speaks.
struct Text {
  std::string en;
  std::string zh;
};

// What may be done with a property (bits).
enum Access : std::uint8_t { kRead = 1, kWrite = 2, kNotify = 4 };

struct ValueRange {
  double min = 0;
  double max = 0;
  double step = 1;
};

struct ValueListEntry {
  std::int64_t value = 0;
  Text description;
};

struct Property {
  std::uint32_t piid = 0;
  std::string name;
  Text description;
  Format format = Format::kBool;
  std::uint8_t access = 0;  // Access bits
  std::optional<ValueRange> range;
  std::vector<ValueListEntry> values;  // non-empty: the only values allowed
  std::string unit;                    // empty: none
  std::uint32_t max_length = 1024;     // strings, in bytes
  std::uint32_t history_days = 0;      // how long reported values are kept; 0: the default (30 days)

  bool allows(Access what) const { return (access & what) != 0; }
};

struct Action {
  std::uint32_t aiid = 0;
  std::string name;
  Text description;
  std::vector<std::uint32_t> in;   // piids of the same service
  std::vector<std::uint32_t> out;  // piids of the same service
};

struct Event {
  std::uint32_t eiid = 0;
  std::string name;
  Text description;
  std::vector<std::uint32_t> arguments;  // piids of the same service
};

struct Service {
  std::uint32_t siid = 0;
  std::string name;  // unique within the device type
  std::string type;  // urn:millet-spec:service:<name>:<version>
  Text description;
  std::vector<Property> properties;
  std::vector<Action> actions;
  std::vector<Event> events;

  const Property* property(std::uint32_t piid) const;
  const Property* property(std::string_view name) const;
  const Action* action(std::uint32_t aiid) const;
  const Action* action(std::string_view name) const;
  const Event* event(std::uint32_t eiid) const;
  const Event* event(std::string_view name) const;
};

// A property, action or event found in a device type, with its service.
template <class Member>
struct Found {
  const Service* service;
  const Member* member;
};

struct DeviceType {
  std::string type;  // urn:millet-spec:device:<name>:<version>
  std::string name;  // the category: "light"
  Text description;
  std::vector<Service> services;

  const Service* service(std::uint32_t siid) const;
  const Service* service(std::string_view name) const;
  // By ids, "2.1", or by names, "light.brightness"; nullopt if there is none.
  std::optional<Found<Property>> find_property(std::string_view address) const;
  std::optional<Found<Action>> find_action(std::string_view address) const;
  std::optional<Found<Event>> find_event(std::string_view address) const;
  // "light.brightness" for ids (2, 2); "2.2" if the type has no such property.
  std::string property_name(std::uint32_t siid, std::uint32_t piid) const;
};

// "light.brightness", and "2.1".
std::string qualified_name(const Service& service, std::string_view member);
std::string qualified_ids(const Service& service, std::uint32_t id);

}  // namespace millet::spec
